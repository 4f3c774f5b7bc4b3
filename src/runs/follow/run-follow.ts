/**
 * `ddbcopy follow`: keeps a target that was copied by other means (an earlier copy, AWS's import, a
 * restore) in step with the source, from a time or from the oldest change the stream holds.
 */
import {
  type DdbCopyError,
  type ErrorReport,
  EXIT,
  errorReport,
  InterruptedError,
  TableNotFoundError,
} from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import { planCopy } from '../../plan/copy-plan.js';
import { followWarnings, streamToFollow } from '../../plan/follow-plan.js';
import { countRetries } from '../../runtime/count-retries.js';
import { FollowStats } from '../../runtime/follow-stats.js';
import { Pacer } from '../../runtime/pacer.js';
import { CopyStats, type RetryCounts } from '../../runtime/stats.js';
import { type DynamoDbSink, type DynamoDbSource, openSink, openSource } from '../../stores/open.js';
import type { CopyEvent, StepName, Unnumbered } from '../copy/events.js';
import type { CopyOptions } from '../copy/options.js';
import { CheckpointWriter, hashOptions, readCheckpoint } from '../shared/checkpoint.js';
import {
  itemChangesIdentity,
  keysMayChange,
  type MaskingReport,
  type PreparedChanges,
  prepareItemChanges,
} from '../shared/item-changes.js';
import { failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import { decideResume, newRecord, type RecordOptions } from '../shared/run-record.js';
import { checkAccount } from '../shared/side-account.js';
import { sideSummary } from '../shared/side-summary.js';
import { stepNumbering } from '../shared/step-numbers.js';
import { type FollowSummary, followChanges, followSummary, takeStreamPosition } from './follow-changes.js';
import { checkSameStream, type FollowRecordPart } from './follow-record.js';
import type { FollowOptions } from './options.js';

/** The steps of `ddbcopy follow`, numbered 1 to 3. */
const FOLLOW_STAGES: readonly StepName[] = ['connect', 'describe', 'follow'];

/** The `--json` document of `ddbcopy follow`. */
export interface FollowCommandSummary {
  command: 'follow';
  status: 'caught-up' | 'interrupted' | 'failed';
  /** `account`: the account the side's credentials belong to (STS), when known; absent on a local endpoint. */
  source: { table: string; region: string | null; endpoint: string | null; account?: string };
  target: { table: string; region: string | null; endpoint: string | null; account?: string };
  /** Where it began: 'trim-horizon', or the --from time. */
  from: string;
  follow: FollowSummary | null;
  retries: RetryCounts;
  resumed: boolean;
  checkpoint: string | null;
  durationMs: number;
  warnings: string[];
  masking?: MaskingReport;
  error?: ErrorReport;
}

/** What a follow tells its caller, asks it, and how it is stopped. */
export interface FollowHooks {
  /** Told the follow's steps, its progress and each warning. */
  onEvent?: (event: CopyEvent) => void;
  /** Stops following: the positions applied so far are saved; `--resume` continues from them. */
  signal?: AbortSignal;
  /** Asked, on a terminal, whether to resume an unfinished record found without `resume` or `restart`. */
  chooseResume?: Parameters<typeof decideResume>[0]['choose'];
}

interface FollowRun {
  options: FollowOptions;
  retries: CopyStats;
  stats: FollowStats;
  warnings: string[];
  source?: DynamoDbSource;
  target?: DynamoDbSink;
  part?: FollowRecordPart;
  status?: 'caught-up' | 'interrupted';
  resumed: boolean;
  writer?: CheckpointWriter;
  changes?: PreparedChanges;
  /** Who each side acts as (account, profile or role, region), once connected. */
  who?: { source: SideIdentity; target: SideIdentity };
}

/**
 * `ddbcopy follow`: applies the source's stream to a target copied before, from a time or a run
 * record, until stopped or (with `untilCaughtUp`) caught up. Resolves with the outcome; never throws
 * for a failure it can explain.
 */
export async function runFollow(
  options: FollowOptions,
  hooks: FollowHooks = {},
): Promise<RunOutcome<FollowCommandSummary>> {
  const run: FollowRun = {
    options,
    retries: new CopyStats(),
    stats: new FollowStats(),
    warnings: [],
    resumed: false,
  };
  const numberOf = stepNumbering<StepName>(FOLLOW_STAGES);
  const emit = (event: Unnumbered<CopyEvent>): void => {
    if (event.type === 'warning') run.warnings.push(event.message);
    hooks.onEvent?.(event.type === 'step' ? { ...event, ...numberOf(event.name) } : event);
  };
  try {
    await followSteps(run, hooks, emit);
    if (run.status === 'interrupted') {
      const error = new InterruptedError('Stopped following the source.', {
        hint: `Progress is saved in ${options.checkpoint}; run the same command with --resume to continue after the last change applied.`,
      });
      return { summary: summarize(run, 'interrupted', error), error, exitCode: error.exitCode };
    }
    return { summary: summarize(run, 'caught-up'), exitCode: EXIT.ok };
  } catch (error) {
    return failedOutcome(
      error,
      { signal: hooks.signal, targetChanged: run.stats.records > 0 },
      (status, typed) => summarize(run, status === 'interrupted' ? 'interrupted' : 'failed', typed),
    );
  } finally {
    run.source?.close();
    run.target?.close();
  }
}

/** The library's entry point: resolves with the summary, throws the typed error when the follow failed. */
export async function followTable(
  options: FollowOptions,
  hooks: FollowHooks = {},
): Promise<FollowCommandSummary> {
  return summaryOrThrow(await runFollow(options, hooks));
}

async function followSteps(
  run: FollowRun,
  hooks: FollowHooks,
  emit: (event: Unnumbered<CopyEvent>) => void,
): Promise<void> {
  const { options } = run;
  const signal = hooks.signal;
  const step = (name: 'connect' | 'describe' | 'follow', message: string): void =>
    emit({ type: 'step', name, message });
  const sockets = (options.concurrency ?? 16) + 16;
  let writePacer: Pacer | undefined;

  step('connect', 'Connecting to both sides');
  const source = await openSource(
    { store: 'dynamodb', side: 'source', config: options.source, maxSockets: sockets },
    { onRetry: countRetries(run.retries, () => undefined) },
  );
  run.source = source;
  const sink = await openSink(
    { store: 'dynamodb', side: 'target', config: options.target, maxSockets: sockets },
    { onRetry: countRetries(run.retries, () => writePacer) },
  );
  run.target = sink;
  for (const message of [...source.warnings, ...sink.warnings]) emit({ type: 'warning', message });
  // Who each side is (STS), checked against --expect-X-account before anything is read or written.
  const warn = (message: string): void => emit({ type: 'warning', message });
  const [sourceWho, targetWho] = await Promise.all([source.whoAmI(), sink.whoAmI()]);
  run.who = { source: sourceWho, target: targetWho };
  checkAccount(sourceWho, 'source', options.source, warn);
  checkAccount(targetWho, 'target', options.target, warn);

  step(
    'describe',
    `Describing source table '${source.tableName}', its stream, and target table '${sink.tableName}'`,
  );
  const sourceSnapshot = await source.describe(new Set(['ttl', 'pitr', 'tags']));
  const targetTable = await sink.describe(signal);
  const stream = streamToFollow(sourceSnapshot.table, {
    table: source.tableName,
    region: source.identity.region,
    profile: options.source.profile,
  });
  for (const message of followWarnings(stream, options.transform !== undefined)) {
    emit({ type: 'warning', message });
  }
  if (!targetTable) {
    throw new TableNotFoundError(
      `The target table '${sink.tableName}' does not exist; follow applies changes to a table copied before.`,
      {
        side: 'target',
        hint: 'Copy it first: ddbcopy copy --follow does both (the copy, then the changes since it began). Or check the target name, region and account.',
      },
    );
  }
  // The target must exist with the source's keys: planned as a copy of no items into it.
  const plan = planCopy({
    source: sourceSnapshot,
    sourceLocation: await source.locate(sourceSnapshot.table.TableArn),
    target: targetTable,
    targetLocation: await sink.locate(targetTable?.TableArn),
    options: asDataOnlyCopy(options),
  });
  const changes = await prepareItemChanges(options, {
    sourceTable: source.tableName,
    table: sourceSnapshot.table,
    keyAttributes: plan.keyAttributes,
    rejectsFile: options.checkpoint.replace(/\.json$/, '.rejects.jsonl'),
  });
  run.changes = changes;
  for (const message of changes.warnings) emit({ type: 'warning', message });

  const identities = { source: source.identity, target: sink.identity };
  const recordOptions: RecordOptions = {
    checkpoint: options.checkpoint,
    resume: options.resume,
    restart: options.restart,
    optionsHash: hashOptions({ follow: true, ...itemChangesIdentity(options) }),
    noun: 'follow',
  };
  const decision = await decideResume({
    options: recordOptions,
    existing: await readCheckpoint(options.checkpoint),
    ...identities,
    ...(hooks.chooseResume ? { choose: hooks.chooseResume } : {}),
  });
  run.resumed = decision.resume;
  const changeSource = source.changes(stream.streamArn);
  let record = decision.resume ? decision.record : undefined;
  if (record?.follow) {
    checkSameStream(record.follow, stream.streamArn, source.tableName);
  } else {
    // No items to copy: the record is finished once the follow is caught up.
    record = {
      ...newRecord({ options: recordOptions, ...identities }, 0, plan.keyAttributes),
      phase: 'completed',
    };
    record.follow = await takeStreamPosition(changeSource, stream, options.from, signal);
  }
  const writer = new CheckpointWriter(options.checkpoint);
  run.writer = writer;
  await writer.flush(record);
  run.part = record.follow;

  step(
    'follow',
    `${decision.resume ? 'Resuming the follow' : options.from === 'trim-horizon' ? "Applying the stream's changes from its oldest record" : `Applying the changes made since ${options.from.toISOString()}`}${options.untilCaughtUp ? ', until caught up' : ' (Ctrl-C to stop; --resume continues)'}`,
  );
  writePacer = new Pacer(plan.writeRate);
  emit({ type: 'follow-started', stats: run.stats });
  const base = record;
  try {
    const result = await followChanges({
      changes: changeSource,
      sink,
      part: base.follow!,
      keyAttributes: plan.keyAttributes,
      stage: changes.stage,
      keysChange: changes.stage ? keysMayChange(changes.rules, plan.keyAttributes, options) : false,
      untilCaughtUp: options.untilCaughtUp,
      writeConcurrency: plan.writeConcurrency,
      writePacer,
      signal,
      stats: run.stats,
      save: (part) => {
        run.part = part;
        writer.update(() => ({ ...base, updatedAt: new Date().toISOString(), follow: part }));
      },
      onWarning: (message) => emit({ type: 'warning', message }),
    });
    run.part = result.part;
    run.status = result.status;
    for (const message of await changes.finish()) emit({ type: 'warning', message });
  } finally {
    await writer.flush().catch(() => {});
    emit({ type: 'follow-finished', stats: run.stats });
  }
}

/** The follow's options as the copy planner reads them: a data-only copy of no items. */
function asDataOnlyCopy(options: FollowOptions): CopyOptions {
  return {
    ...options,
    mode: 'data-only',
    yes: false,
    dryRun: false,
    segments: 1,
    readRate: undefined,
    consistentRead: false,
    billingMode: undefined,
    readCapacity: undefined,
    writeCapacity: undefined,
    sseKmsKeyId: undefined,
    skip: new Set(),
    verify: false,
    workers: undefined,
  };
}

function summarize(
  run: FollowRun,
  status: FollowCommandSummary['status'],
  error?: DdbCopyError,
): FollowCommandSummary {
  const { options } = run;
  const summary: FollowCommandSummary = {
    command: 'follow',
    status,
    source: sideSummary(run.source, options.source, run.who?.source),
    target: sideSummary(run.target, options.target, run.who?.target),
    from: options.from === 'trim-horizon' ? 'trim-horizon' : options.from.toISOString(),
    follow: run.part ? followSummary(status, run.part, run.stats) : null,
    retries: { ...run.retries.retries },
    resumed: run.resumed,
    checkpoint: run.writer ? options.checkpoint : null,
    durationMs: Math.round(run.stats.elapsedMs),
    warnings: [...run.warnings],
  };
  const masking = run.changes?.report();
  if (masking) summary.masking = masking;
  if (error) summary.error = errorReport(error);
  return summary;
}
