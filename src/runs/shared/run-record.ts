import type { SegmentState } from '../../engine/copy/segment-progress.js';
import { CheckpointError } from '../../errors.js';
import type { CopyStats } from '../../runtime/stats.js';
import type { CopyOptions } from '../copy/options.js';
import {
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  currentOwner,
  hashOptions,
  ownedByAnotherProcess,
  recordFinished,
  storeSegments,
  type TableIdentity,
} from './checkpoint.js';
import { itemChangesIdentity } from './item-changes.js';

/**
 * How a run relates to the checkpoint on disk: decided before anything is changed, so a refusal
 * (record in use, made for other tables, missing) leaves both tables untouched.
 */
export type RecordDecision = { resume: false } | { resume: true; record: CheckpointRecord };

/** What the record logic needs from a run's options (a copy's, or an import's). */
export interface RecordOptions {
  /** The record's file. */
  checkpoint: string;
  resume: boolean;
  restart: boolean;
  /** Hash of the options that change what the target ends up holding. */
  optionsHash: string;
  /** What the run is, in words: 'copy', 'import' or 'export'. */
  noun: 'copy' | 'import' | 'export' | 'follow';
}

export interface RecordContext {
  options: RecordOptions;
  existing: CheckpointRecord | undefined;
  source: TableIdentity;
  target: TableIdentity;
  /** Asks the user (terminal only) whether to resume or restart an unfinished copy. */
  choose?: (record: CheckpointRecord) => Promise<'resume' | 'restart' | undefined>;
}

/** The options that change what the target ends up holding; a record made with others can't be resumed. */
export function resultOptionsHash(options: CopyOptions): string {
  return hashOptions({
    mode: options.mode === 'schema-only' ? 'recreate' : options.mode,
    consistentRead: options.consistentRead,
    billingMode: options.billingMode ?? null,
    readCapacity: options.readCapacity ?? null,
    writeCapacity: options.writeCapacity ?? null,
    sseKmsKeyId: options.sseKmsKeyId ?? null,
    skip: [...options.skip].sort(),
    ...itemChangesIdentity(options),
  });
}

/** A copy's record options. */
export function copyRecordOptions(options: CopyOptions): RecordOptions {
  return {
    checkpoint: options.checkpoint,
    resume: options.resume,
    restart: options.restart,
    optionsHash: resultOptionsHash(options),
    noun: 'copy',
  };
}

export async function decideResume(context: RecordContext): Promise<RecordDecision> {
  const { options, existing } = context;
  const file = options.checkpoint;
  if (existing && ownedByAnotherProcess(existing)) {
    throw new CheckpointError(
      `Another ddbcopy (pid ${existing.owner.pid}) is running the ${options.noun} recorded in ${file}.`,
      {
        hint: `Wait for it to finish or stop it first; two runs must not share one checkpoint.`,
      },
    );
  }
  let resume = options.resume;
  if (resume && !existing) {
    throw new CheckpointError(`There is no checkpoint to resume from at ${file}.`, {
      hint: `Run without --resume to start the ${options.noun}, or pass --checkpoint FILE naming the saved record.`,
    });
  }
  if (!resume && existing && !recordFinished(existing) && !options.restart) {
    const choice = context.choose ? await context.choose(existing) : undefined;
    if (!choice) {
      const what = {
        copy: 'of these tables',
        import: 'into this table',
        export: 'of this table to this location',
        follow: 'of these tables',
      };
      throw new CheckpointError(
        `An unfinished ${options.noun} ${what[options.noun]} is recorded in ${file}.`,
        {
          hint: {
            export:
              'Pass --resume to continue it (finished segments are kept), or --restart to start over (the unfinished export is deleted).',
            follow:
              'Pass --resume to continue it after the last change it applied, or --restart to start again from --from.',
            copy: 'Pass --resume to continue it, or --restart to start over (the target is recreated).',
            import: 'Pass --resume to continue it, or --restart to start over (the target is recreated).',
          }[options.noun],
        },
      );
    }
    resume = choice === 'resume';
  }
  if (!resume || !existing) return { resume: false };
  checkSameCopy(existing, context);
  return { resume: true, record: existing };
}

function checkSameCopy(record: CheckpointRecord, context: RecordContext): void {
  const describe = (id: TableIdentity): string =>
    `'${id.table}' (${id.region}${id.endpoint ? ` at ${id.endpoint}` : ''})`;
  const same = (a: TableIdentity, b: TableIdentity): boolean =>
    a.table === b.table && a.region === b.region && (a.endpoint ?? null) === (b.endpoint ?? null);
  if (!same(record.source, context.source) || !same(record.target, context.target)) {
    throw new CheckpointError(
      `The checkpoint ${context.options.checkpoint} records ${/^[aeiou]/.test(context.options.noun) ? 'an' : 'a'} ${context.options.noun} of ${describe(record.source)} to ${describe(record.target)}, not of ${describe(context.source)} to ${describe(context.target)}.`,
      {
        hint: `Pass the ${{ copy: 'tables', import: 'export and table', export: 'table and --out', follow: 'tables' }[context.options.noun]}, regions and endpoints of that ${context.options.noun}, or --restart to start this one over.`,
      },
    );
  }
  if (record.optionsHash !== context.options.optionsHash) {
    const which = {
      copy: 'other copy options (mode, --skip, billing, encryption, --consistent-read, or another filter, masks, mask secret or transform)',
      import: 'other import options (--key) or another export',
      export: 'other export options (--consistent-read)',
      follow: 'other masks, mask secret or transform',
    };
    throw new CheckpointError(
      `The checkpoint ${context.options.checkpoint} was made with ${which[context.options.noun]}.`,
      { hint: 'Resume with the options of the first run, or pass --restart to start over with these.' },
    );
  }
}

export function newRecord(
  context: Pick<RecordContext, 'options' | 'source' | 'target'>,
  totalSegments: number,
  keyAttributes: string[],
): CheckpointRecord {
  const now = new Date().toISOString();
  const states: SegmentState[] = Array.from({ length: totalSegments }, (_, segment) => ({
    segment,
    startKey: undefined,
    done: false,
    itemsWritten: 0,
  }));
  return {
    version: CHECKPOINT_VERSION,
    tool: 'ddbcopy',
    createdAt: now,
    updatedAt: now,
    owner: currentOwner(),
    source: context.source,
    target: context.target,
    optionsHash: context.options.optionsHash,
    phase: 'copying',
    totalSegments,
    keyAttributes,
    segments: storeSegments(states),
    totals: { itemsWritten: 0, bytesWritten: 0, consumedRead: 0, consumedWrite: 0 },
  };
}

/** The record after this run's progress: segment positions and totals including earlier runs. */
export function withProgress(
  base: CheckpointRecord,
  states: readonly SegmentState[],
  stats: CopyStats,
): CheckpointRecord {
  const done = states.every((s) => s.done);
  return {
    ...base,
    updatedAt: new Date().toISOString(),
    owner: currentOwner(),
    phase: done ? 'completed' : 'copying',
    segments: storeSegments(states),
    totals: {
      itemsWritten: states.reduce((sum, s) => sum + s.itemsWritten, 0),
      bytesWritten: base.totals.bytesWritten + stats.bytesWritten,
      consumedRead: base.totals.consumedRead + stats.consumedRead,
      consumedWrite: base.totals.consumedWrite + stats.consumedWrite,
    },
  };
}
