import { availableParallelism } from 'node:os';
import { copyItems } from '../../engine/copy/copy-items.js';
import type { SegmentState } from '../../engine/copy/segment-progress.js';
import { copyItemsInWorkers, workersAvailable } from '../../engine/copy/threads/parallel-copy.js';
import {
  CheckpointError,
  type DdbCopyError,
  EXIT,
  InterruptedError,
  InvalidOptionError,
  VerificationFailedError,
} from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { TableDescription } from '../../model/table.js';
import { type CopyPlan, planCopy } from '../../plan/copy-plan.js';
import { followWarnings, streamToFollow } from '../../plan/follow-plan.js';
import { countRetries } from '../../runtime/count-retries.js';
import { FollowStats } from '../../runtime/follow-stats.js';
import { Pacer } from '../../runtime/pacer.js';
import type { Slots } from '../../runtime/slots.js';
import { CopyStats } from '../../runtime/stats.js';
import { type DynamoDbSink, type DynamoDbSource, openSink, openSource } from '../../stores/open.js';
import { followChanges, takeStreamPosition, warnBeforeRetention } from '../follow/follow-changes.js';
import { checkSameStream, type FollowRecordPart } from '../follow/follow-record.js';
import { type CheckpointRecord, CheckpointWriter, readCheckpoint, segmentsOf } from '../shared/checkpoint.js';
import { keysMayChange, type PreparedChanges, prepareItemChanges } from '../shared/item-changes.js';
import { type DeletionQuestion, KEEP_WITH_DATA_ONLY, replaceTarget } from '../shared/replace-target.js';
import { failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import { copyRecordOptions, decideResume, newRecord, withProgress } from '../shared/run-record.js';
import { checkAccount } from '../shared/side-account.js';
import { stepNumbering } from '../shared/step-numbers.js';
import { verifyOptionsAfterCopy } from '../verify/options.js';
import { runVerify } from '../verify/run-verify.js';
import { runCopyViaExport } from '../via-export/run-via-export.js';
import { type CopyEvent, copyStages, type StepName, type Unnumbered } from './events.js';

/** How a copy's steps send events: the run numbers each step. */
type Emit = (event: Unnumbered<CopyEvent>) => void;

import type { CopyOptions } from './options.js';
import { emptyPruneSummary, type PruneSummary, pruneTarget } from './prune-target.js';
import { type CopySummary, summarize } from './summary.js';
import { workerStageSpec } from './worker-stage.js';

/** The module copy worker threads run: it opens the stores through the registry. */
const COPY_WORKER = new URL('./copy-worker.js', import.meta.url);

/** What a copy tells its caller (events) and asks it (deletion, resume), and how it is cancelled. */
export interface CopyHooks {
  /** Progress, steps and warnings, for a renderer. The copy never prints. */
  onEvent?: (event: CopyEvent) => void;
  /** Asked before an existing target is deleted (unless options.yes). Without it, deletion needs `yes`. */
  confirmDeletion?: (question: DeletionQuestion & { plan: CopyPlan }) => Promise<boolean>;
  /** Asked (on a terminal) when an unfinished checkpoint exists and neither --resume nor --restart was given. */
  chooseResume?: (record: CheckpointRecord) => Promise<'resume' | 'restart' | undefined>;
  /** Cancels the run: scanning stops, in-flight writes finish, the summary says `interrupted`. */
  signal?: AbortSignal;
  /**
   * Budgets shared with the other tables of a set (runs/tables/): BatchWriteItem requests in flight,
   * and a global rate (`--write-rate 500` for the whole set rather than per table).
   * @internal
   */
  shared?: SharedBudgets;
}

/** What the copies of a set share, so that running tables together does not multiply the load. */
export interface SharedBudgets {
  writeSlots?: Slots;
  readPacer?: Pacer;
  writePacer?: Pacer;
}

/** What runCopy resolves with: the run outcome, and the plan once the copy got that far. */
export interface CopyOutcome extends RunOutcome<CopySummary> {
  plan?: CopyPlan;
  /** The target as described before anything was changed (undefined: it did not exist). */
  existingTarget?: TableDescription;
}

/**
 * Copies a table, step by step: connect, describe, plan, prepare the target, copy items, apply late
 * settings. Never throws for a failure it can explain: the outcome carries the typed error and a
 * summary of what was done up to then.
 */
export async function runCopy(options: CopyOptions, hooks: CopyHooks = {}): Promise<CopyOutcome> {
  // --via-export hands the items to AWS's own export and import jobs (runs/via-export/).
  if (options.viaExport) return runCopyViaExport(options, hooks);
  const stats = new CopyStats();
  const run: RunState = {
    stats,
    options,
    schemaAction: 'none',
    settingsApplied: [],
    settingsUnsupported: [],
    warnings: [],
  };
  const numberOf = stepNumbering(copyStages(options));
  const emit: Emit = (event) => {
    if (event.type === 'warning') run.warnings.push(event.message);
    hooks.onEvent?.(event.type === 'step' ? { ...event, ...numberOf(event.name) } : event);
  };
  try {
    await copySteps(run, hooks, emit);
    const status =
      hooks.signal?.aborted && (run.itemsStatus !== 'completed' || run.followStatus === 'interrupted')
        ? 'interrupted'
        : 'completed';
    if (status === 'completed' && options.verify && !options.dryRun) {
      const failure = await verifyAfterCopy(run, hooks, emit);
      if (failure)
        return {
          summary: summarize(run, 'completed', failure),
          error: failure,
          plan: run.plan,
          exitCode: failure.exitCode,
          ...existing(run),
        };
    }
    if (status === 'interrupted') {
      const following = run.followStatus === 'interrupted';
      const error = new InterruptedError(
        following ? 'Stopped following the source.' : 'Interrupted before the copy finished.',
        {
          hint: run.checkpoint
            ? `Progress is saved in ${options.checkpoint}; run the same command with --resume to continue${following ? ' following from the last change applied' : ''}.`
            : 'Nothing was copied yet; run the same command again.',
        },
      );
      return {
        summary: summarize(run, 'interrupted', error),
        error,
        plan: run.plan,
        exitCode: error.exitCode,
        ...existing(run),
      };
    }
    return { summary: summarize(run, 'completed'), plan: run.plan, exitCode: EXIT.ok, ...existing(run) };
  } catch (error) {
    const targetChanged =
      run.targetDeleted === true ||
      run.schemaAction !== 'none' ||
      stats.itemsWritten > 0 ||
      (run.prune?.deleted ?? 0) > 0;
    return {
      ...failedOutcome(error, { signal: hooks.signal, targetChanged }, (status, typed) =>
        summarize(run, status, typed),
      ),
      plan: run.plan,
      ...existing(run),
    };
  } finally {
    // Keep-alive sockets would otherwise hold the process open.
    run.source?.close();
    run.target?.close();
  }
}

function existing(run: RunState): { existingTarget?: TableDescription } {
  return run.targetTable ? { existingTarget: run.targetTable } : {};
}

/** The library's entry point: resolves with the summary, throws the typed error when the copy failed. */
export async function copyTable(options: CopyOptions, hooks: CopyHooks = {}): Promise<CopySummary> {
  return summaryOrThrow(await runCopy(options, hooks));
}

export interface RunState {
  stats: CopyStats;
  options: CopyOptions;
  source?: DynamoDbSource;
  target?: DynamoDbSink;
  plan?: CopyPlan;
  schemaAction: 'recreated' | 'created' | 'kept' | 'none';
  settingsApplied: string[];
  settingsUnsupported: string[];
  warnings: string[];
  itemsStatus?: 'completed' | 'interrupted';
  resumed?: boolean;
  /** Items a previous run of the same checkpoint wrote. */
  writtenBefore?: number;
  checkpoint?: CheckpointWriter;
  verification?: CopySummary['verification'];
  /** The old target was (being) deleted: from here on a failure has changed something. */
  targetDeleted?: boolean;
  /** The target as described before anything was changed. */
  targetTable?: TableDescription;
  /** Who each side acts as (account, profile or role, region), once connected. */
  who?: { source: SideIdentity; target: SideIdentity };
  /** Masks and a transform, ready, with their counters. */
  changes?: PreparedChanges;
  /** --follow: the counters, how it ended, and the stream state it reached. */
  followStats?: FollowStats;
  followStatus?: 'caught-up' | 'interrupted';
  followPart?: FollowRecordPart;
  /** --prune: the target's keys checked against the source, and what was (or would be) deleted. */
  prune?: PruneSummary;
}

async function copySteps(run: RunState, hooks: CopyHooks, emit: Emit): Promise<void> {
  const { options, stats } = run;
  // One pacer per side, shared by every worker; a throttle anywhere on a side slows that whole side.
  const pacers: { read?: Pacer; write?: Pacer } = {};
  const signal = hooks.signal;
  const step = (name: StepName, message: string): void => emit({ type: 'step', name, message });
  const sockets = (options.concurrency ?? 16) + 16;

  step('connect', 'Connecting to both sides');
  const source = await openSource(
    { store: 'dynamodb', side: 'source', config: options.source, maxSockets: sockets },
    { onRetry: countRetries(stats, () => pacers.read) },
  );
  run.source = source;
  const sink = await openSink(
    { store: 'dynamodb', side: 'target', config: options.target, maxSockets: sockets },
    { onRetry: countRetries(stats, () => pacers.write) },
  );
  run.target = sink;
  for (const message of [...source.warnings, ...sink.warnings]) emit({ type: 'warning', message });
  // Who each side is (STS), checked against --expect-X-account before anything is read or touched.
  const warn = (message: string): void => emit({ type: 'warning', message });
  const [sourceWho, targetWho] = await Promise.all([source.whoAmI(), sink.whoAmI()]);
  run.who = { source: sourceWho, target: targetWho };
  checkAccount(sourceWho, 'source', options.source, warn);
  checkAccount(targetWho, 'target', options.target, warn);

  step('describe', `Describing source table '${source.tableName}' and target table '${sink.tableName}'`);
  // --data-only copies no settings, so it does not read them (nor need the permissions to).
  const sourceSnapshot = await source.describe(
    options.mode === 'data-only' ? new Set([...options.skip, 'ttl', 'pitr', 'tags']) : options.skip,
  );
  const targetTable = await sink.describe(signal);
  run.targetTable = targetTable;
  // --follow needs a stream on the source: refused here, before anything is touched.
  const stream = options.follow
    ? streamToFollow(sourceSnapshot.table, {
        table: source.tableName,
        region: source.identity.region,
        profile: options.source.profile,
      })
    : undefined;
  const identities = { source: source.identity, target: sink.identity };
  const decision =
    options.mode === 'schema-only' || (options.dryRun && !options.resume)
      ? ({ resume: false } as const)
      : await decideResume({
          options: copyRecordOptions(options),
          existing: await readCheckpoint(options.checkpoint),
          ...identities,
          ...(hooks.chooseResume ? { choose: hooks.chooseResume } : {}),
        });
  run.resumed = decision.resume;
  if (stream && decision.resume) {
    if (!decision.record.follow) {
      throw new CheckpointError(
        `The copy recorded in ${options.checkpoint} was started without --follow, so where the stream stood when its scan began is not known.`,
        {
          hint: 'Resume it without --follow, then run `ddbcopy follow --from TIME` with the time the copy began; or --restart with --follow.',
        },
      );
    }
    checkSameStream(decision.record.follow, stream.streamArn, source.tableName);
  }
  const plan = planCopy({
    source: sourceSnapshot,
    sourceLocation: await source.locate(sourceSnapshot.table.TableArn),
    target: targetTable,
    targetLocation: await sink.locate(targetTable?.TableArn),
    sides: run.who,
    // Resuming never touches the target's schema: plan it like --data-only, with the record's segments.
    options: decision.resume
      ? { ...options, mode: 'data-only', segments: decision.record.totalSegments }
      : options,
  });
  // Masks and a transform are read and checked against the keys before anything is touched.
  const changes = await prepareItemChanges(options, {
    sourceTable: source.tableName,
    table: sourceSnapshot.table,
    keyAttributes: plan.keyAttributes,
    rejectsFile: rejectsFileOf(options),
  });
  run.changes = changes;
  if (options.prune && keysMayChange(changes.rules, plan.keyAttributes, options)) {
    throw new InvalidOptionError(
      "--prune cannot be used with masks on key attributes: the target's keys differ from the source's, so every item would look missing on the source.",
      { hint: 'Drop --prune, or mask only attributes outside the key.' },
    );
  }
  if (changes.describe.length) plan.masks = changes.describe;
  if (options.filter) plan.filter = options.filter.expression;
  for (const message of changes.warnings) emit({ type: 'warning', message });
  for (const message of stream ? followWarnings(stream, options.transform !== undefined) : [])
    emit({ type: 'warning', message });
  run.plan = plan;
  stats.expectedItems = plan.estimate.items;
  stats.expectedBytes = plan.estimate.bytes;
  emit({ type: 'plan', plan });
  for (const message of plan.warnings) emit({ type: 'warning', message });
  if (options.dryRun) {
    // --dry-run --prune: the same scan and check, deleting nothing; the plan shows the count and samples.
    if (options.prune) await pruneAfterCopy(run, plan, pacers, hooks, emit);
    return;
  }

  if (plan.copyItems) await source.checkScanAllowed();

  if (decision.resume) {
    run.schemaAction = 'kept';
    // A resume chosen at the prompt: the target's stage was counted, so it is said why it is skipped.
    if (!options.resume && options.mode !== 'data-only') {
      step('keep', `Keeping target table '${sink.tableName}' as it is: resuming the saved copy`);
    }
    if (decision.record.phase === 'completed') {
      run.itemsStatus = 'completed';
      run.writtenBefore = decision.record.totals.itemsWritten;
      stats.itemsBefore = run.writtenBefore;
      step('copy', `Items already copied: the copy recorded in ${options.checkpoint} completed`);
      if (stream) {
        // The items are copied: go on following from the positions saved.
        const writer = new CheckpointWriter(options.checkpoint);
        run.checkpoint = writer;
        await followAfterCopy(run, decision.record, writer, plan, pacers, hooks, emit);
        return;
      }
      emit({ type: 'warning', message: `The copy recorded in ${options.checkpoint} already completed.` });
      if (options.prune) await pruneAfterCopy(run, plan, pacers, hooks, emit);
      return;
    }
  } else {
    await prepareTarget(run, plan, sink, hooks, emit, step);
  }
  if (!plan.copyItems) return;

  const startRecord = decision.resume
    ? decision.record
    : newRecord({ options: copyRecordOptions(options), ...identities }, plan.segments, plan.keyAttributes);
  if (stream && !decision.resume) {
    // Before the first Scan request: every change from here on is in the stream or in the scan.
    startRecord.follow = await takeStreamPosition(source.changes(stream.streamArn), stream, 'scan', signal);
  }
  run.writtenBefore = decision.resume ? startRecord.totals.itemsWritten : 0;
  stats.itemsBefore = run.writtenBefore;
  stats.bytesBefore = decision.resume ? startRecord.totals.bytesWritten : 0;
  stats.readRateCap = plan.readRate;
  stats.writeRateCap = plan.writeRate;
  const writer = new CheckpointWriter(options.checkpoint);
  run.checkpoint = writer;
  // Durable before the first write: a crash from here on is resumable.
  await writer.flush(startRecord);

  // Budgets shared with other tables live in this thread: a set's tables copy on the main thread.
  const workers = hooks.shared ? 1 : chooseWorkers(options, plan);
  step(
    'copy',
    `${decision.resume ? 'Resuming the copy of items' : 'Copying items'}: ${plan.segments} segment(s), ${plan.writeConcurrency} writer(s)${workers > 1 ? ` on ${workers} threads` : ''}${stream ? "; the source's changes from now on are followed after it" : ''}`,
  );
  pacers.read = hooks.shared?.readPacer ?? new Pacer(plan.readRate);
  pacers.write = hooks.shared?.writePacer ?? new Pacer(plan.writeRate);
  emit({ type: 'copy-started', stats });
  const resumeFrom = decision.resume ? segmentsOf(startRecord) : undefined;
  if (resumeFrom) stats.expectedItems = Math.max(0, stats.expectedItems - run.writtenBefore);
  // What both ways of copying (this thread, or worker threads) take.
  const common = {
    keyAttributes: plan.keyAttributes,
    totalSegments: plan.segments,
    scanConcurrency: plan.scanConcurrency,
    writeConcurrency: plan.writeConcurrency,
    scanLimit: plan.scanLimit,
    consistentRead: options.consistentRead,
    readUnitsPerPage: plan.readUnitsPerPage,
    filter: options.filter,
    stats,
    ...(resumeFrom ? { resumeFrom } : {}),
    onProgress: (progress: { snapshot(): SegmentState[] }) =>
      writer.update(() => withProgress(startRecord, progress.snapshot(), stats)),
    onWarning: (message: string) => emit({ type: 'warning', message }),
    ...(signal ? { signal } : {}),
  };
  // A long scan eats into the stream's 24 hours: say so while there is time to act.
  let copied: CheckpointRecord | undefined;
  const stopRetentionWarning = startRecord.follow
    ? warnBeforeRetention(startRecord.follow, (message) => emit({ type: 'warning', message }))
    : undefined;
  try {
    // Each worker builds the same stage from plain data (the secret included: it stays in memory).
    const stageSpec =
      workers > 1
        ? workerStageSpec(options, changes, {
            keyAttributes: plan.keyAttributes,
            rejectsFile: rejectsFileOf(options),
          })
        : undefined;
    const result =
      workers > 1
        ? await copyItemsInWorkers({
            ...common,
            workers,
            workerUrl: COPY_WORKER,
            source: source.threadSpec(),
            target: sink.threadSpec(),
            readRate: plan.readRate,
            writeRate: plan.writeRate,
            ...(stageSpec
              ? {
                  stage: stageSpec,
                  checkKeys: stageSpec.keysChange,
                  onStageCounts: (delta) => changes.addCounts(delta),
                }
              : {}),
          })
        : await copyItems({
            ...common,
            source,
            sink,
            readPacer: pacers.read,
            writePacer: pacers.write,
            writeSlots: hooks.shared?.writeSlots,
            stage: changes.stage,
          });
    run.itemsStatus = result.status;
    copied = withProgress(startRecord, result.segments, stats);
    await writer.flush(copied);
    for (const message of await changes.finish()) emit({ type: 'warning', message });
  } finally {
    stopRetentionWarning?.();
    // Whatever happened, what the target acknowledged is on disk before we report.
    await writer.flush().catch(() => {});
    emit({ type: 'copy-finished', stats });
  }
  if (options.prune && copied && run.itemsStatus === 'completed' && !signal?.aborted) {
    await pruneAfterCopy(run, plan, pacers, hooks, emit);
  }
  if (stream && copied && run.itemsStatus === 'completed') {
    await followAfterCopy(run, copied, writer, plan, pacers, hooks, emit);
  }
}

/** Where a copy lists the items its transform threw on (`--on-transform-error skip`), on every thread. */
function rejectsFileOf(options: CopyOptions): string {
  return options.checkpoint.replace(/\.json$/, '.rejects.jsonl');
}

/** Replaces the target as the plan says, or keeps it (--data-only). */
async function prepareTarget(
  run: RunState,
  plan: CopyPlan,
  sink: DynamoDbSink,
  hooks: CopyHooks,
  emit: Emit,
  step: (name: StepName, message: string) => void,
): Promise<void> {
  if (!plan.createTable) {
    run.schemaAction = 'kept';
    return;
  }
  const result = await replaceTarget({
    sink,
    existing: plan.deleteTarget ? run.targetTable : undefined,
    createTable: plan.createTable,
    lateSettings: plan.lateSettings,
    yes: run.options.yes,
    keepAlternative: KEEP_WITH_DATA_ONLY,
    confirmDeletion: hooks.confirmDeletion
      ? (question) => hooks.confirmDeletion!({ ...question, plan })
      : undefined,
    signal: hooks.signal,
    onStep: step,
    onWarning: (message) => emit({ type: 'warning', message }),
    onDeleted: () => {
      run.targetDeleted = true;
    },
  });
  run.schemaAction = result.action;
  run.settingsApplied.push(...result.applied);
  run.settingsUnsupported.push(...result.unsupported);
}

/**
 * Copy threads: one unless --workers asks for more. On the 2-core machine we measure on, a second
 * thread took 28k to 31-33k items/s of 1 KB items for twice the memory (the stub endpoint shares the
 * cores), so it is not the default; machines with more cores gain more.
 */
function chooseWorkers(options: CopyOptions, plan: CopyPlan): number {
  // Credentials given as a function (library use) cannot be handed to another thread.
  const cloneable =
    typeof options.source.credentials !== 'function' && typeof options.target.credentials !== 'function';
  if (!options.workers || options.workers < 2 || !cloneable || !workersAvailable(COPY_WORKER)) return 1;
  return Math.max(1, Math.min(options.workers, plan.segments, availableParallelism() * 2));
}

/**
 * `--verify`: scans both tables again (consistent reads) and compares them item by item. Items decide;
 * the schema is compared only when the copy recreated it without overrides, since --data-only and
 * billing or encryption overrides make the target differ on purpose.
 */
async function verifyAfterCopy(
  run: RunState,
  hooks: CopyHooks,
  emit: Emit,
): Promise<DdbCopyError | undefined> {
  const { options } = run;
  emit({
    type: 'step',
    name: 'verify',
    message: 'Verifying: comparing the target with the source item by item',
  });
  const outcome = await runVerify(
    verifyOptionsAfterCopy(options),
    hooks.signal ? { signal: hooks.signal } : {},
  );
  if (outcome.error) return outcome.error;
  const v = outcome.summary;
  const schemaMatters =
    options.mode !== 'data-only' &&
    !options.billingMode &&
    !options.readCapacity &&
    !options.writeCapacity &&
    !options.sseKmsKeyId;
  const itemsIdentical = v.missing === 0 && v.extra === 0 && v.different === 0;
  const identical = itemsIdentical && (!schemaMatters || v.schemaDifferences.length === 0);
  run.verification = {
    status: identical ? 'identical' : 'different',
    sourceItems: v.sourceItems,
    targetItems: v.targetItems,
    missing: v.missing,
    extra: v.extra,
    different: v.different,
    samples: v.samples,
    schemaDifferences: v.schemaDifferences,
  };
  if (identical) return undefined;
  return new VerificationFailedError(
    `The target differs from the source: ${v.missing} missing, ${v.extra} extra, ${v.different} different item(s)${schemaMatters && v.schemaDifferences.length ? `; schema: ${v.schemaDifferences.join('; ')}` : ''}.`,
    {
      side: 'target',
      hint: 'Was either table written to during the copy? Run `ddbcopy verify` with the same sides to see the keys, or copy again.',
    },
  );
}

/**
 * --prune, once the items are copied (or with --dry-run, instead): the target's keys are scanned
 * through a read-only connection of the target, checked against the source, and those the source
 * lacks are deleted through the copy's sink (with --dry-run, only counted).
 */
async function pruneAfterCopy(
  run: RunState,
  plan: CopyPlan,
  pacers: { read?: Pacer; write?: Pacer },
  hooks: CopyHooks,
  emit: Emit,
): Promise<void> {
  const { options, stats } = run;
  const dryRun = options.dryRun;
  emit({
    type: 'step',
    name: 'prune',
    message: dryRun
      ? "Checking which of the target's items the source does not have (--prune; nothing is deleted)"
      : "Pruning: deleting the target's items whose key the source does not have",
  });
  const targetKeys = await openSource(
    { store: 'dynamodb', side: 'target', config: options.target, maxSockets: 16 + 16 },
    { onRetry: countRetries(stats, () => pacers.read) },
  );
  // Counted as it goes: a failure half-way still reports what was deleted.
  run.prune = emptyPruneSummary(dryRun);
  try {
    await pruneTarget(
      {
        source: run.source!,
        targetKeys,
        sink: dryRun ? undefined : run.target!,
        keyAttributes: plan.keyAttributes,
        segments: plan.scanConcurrency,
        readPacer: pacers.read,
        writePacer: pacers.write,
        stats: dryRun ? undefined : stats,
        signal: hooks.signal,
      },
      run.prune,
    );
  } finally {
    targetKeys.close();
  }
}

/**
 * --follow, once the items are copied: applies the stream's changes since the scan began, then keeps
 * following until caught up (--until-caught-up) or interrupted. Each applied page moves the record.
 */
async function followAfterCopy(
  run: RunState,
  record: CheckpointRecord,
  writer: CheckpointWriter,
  plan: CopyPlan,
  pacers: { read?: Pacer; write?: Pacer },
  hooks: CopyHooks,
  emit: Emit,
): Promise<void> {
  const { options } = run;
  const part = record.follow!;
  const stats = new FollowStats();
  run.followStats = stats;
  run.followPart = part;
  emit({
    type: 'step',
    name: 'follow',
    message: options.follow!.untilCaughtUp
      ? 'Applying the changes made since the scan began, until caught up'
      : 'Following the source: applying its changes as they come (Ctrl-C to stop; --resume continues)',
  });
  pacers.write ??= hooks.shared?.writePacer ?? new Pacer(plan.writeRate);
  emit({ type: 'follow-started', stats });
  try {
    const result = await followChanges({
      changes: run.source!.changes(part.streamArn),
      sink: run.target!,
      part,
      keyAttributes: plan.keyAttributes,
      stage: run.changes?.stage,
      keysChange: run.changes?.stage ? keysMayChange(run.changes.rules, plan.keyAttributes, options) : false,
      untilCaughtUp: options.follow!.untilCaughtUp,
      writeConcurrency: plan.writeConcurrency,
      writePacer: pacers.write,
      writeSlots: hooks.shared?.writeSlots,
      signal: hooks.signal,
      stats,
      save: (next) => {
        run.followPart = next;
        writer.update(() => ({ ...record, updatedAt: new Date().toISOString(), follow: next }));
      },
      onWarning: (message) => emit({ type: 'warning', message }),
    });
    run.followPart = result.part;
    run.followStatus = result.status;
  } finally {
    await writer.flush().catch(() => {});
    emit({ type: 'follow-finished', stats });
  }
}
