import { CheckpointError } from '../errors.js';
import type { CopyOptions } from '../options.js';
import {
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  currentOwner,
  hashOptions,
  ownedByAnotherProcess,
  storeSegments,
  type TableIdentity,
} from '../runtime/checkpoint.js';
import type { CopyStats } from '../runtime/stats.js';
import type { SegmentState } from './segment-progress.js';

/**
 * How a run relates to the checkpoint on disk: decided before anything is changed, so a refusal
 * (record in use, made for other tables, missing) leaves both tables untouched.
 */
export type RecordDecision = { resume: false } | { resume: true; record: CheckpointRecord };

export interface RecordContext {
  options: CopyOptions;
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
  });
}

export async function decideResume(context: RecordContext): Promise<RecordDecision> {
  const { options, existing } = context;
  const file = options.checkpoint;
  if (existing && ownedByAnotherProcess(existing)) {
    throw new CheckpointError(
      `Another ddbcopy (pid ${existing.owner.pid}) is running the copy recorded in ${file}.`,
      {
        hint: 'Wait for it to finish or stop it first; two copies must not share one checkpoint.',
      },
    );
  }
  let resume = options.resume;
  if (resume && !existing) {
    throw new CheckpointError(`There is no checkpoint to resume from at ${file}.`, {
      hint: 'Run without --resume to start the copy, or pass --checkpoint FILE naming the saved record.',
    });
  }
  if (!resume && existing && existing.phase !== 'completed' && !options.restart) {
    const choice = context.choose ? await context.choose(existing) : undefined;
    if (!choice) {
      throw new CheckpointError(`An unfinished copy of these tables is recorded in ${file}.`, {
        hint: 'Pass --resume to continue it, or --restart to start over (the target is recreated).',
      });
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
      `The checkpoint ${context.options.checkpoint} records a copy of ${describe(record.source)} to ${describe(record.target)}, not of ${describe(context.source)} to ${describe(context.target)}.`,
      { hint: 'Pass the tables, regions and endpoints of that copy, or --restart to start this one over.' },
    );
  }
  if (record.optionsHash !== resultOptionsHash(context.options)) {
    throw new CheckpointError(
      `The checkpoint ${context.options.checkpoint} was made with other copy options (mode, --skip, billing, encryption or --consistent-read).`,
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
    optionsHash: resultOptionsHash(context.options),
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
