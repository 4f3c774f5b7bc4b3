/**
 * `copy --via-export s3://bucket/prefix`: the items travel through AWS's own export and import, which
 * read no table capacity and scale with the table. Numbered steps:
 *
 *   1 connect   both sides
 *   2 describe  source (PITR too) and target; plan (pure); refusals and the deletion prompt come here,
 *               before anything runs
 *   3 export    ExportTableToPointInTime into the bucket, watched until COMPLETED
 *   4 mask      with --mask/--mask-file/--transform only: the export's data files rewritten item by
 *               item into `<prefix>/masked/AWSDynamoDB/<id>/` (mask-export.ts); AWS's export is only read
 *   5 delete    the existing target (ImportTable only creates tables), once the export is safe in S3
 *   6 import    ImportTable from the export's data/ prefix (or its masked copy's); it creates the
 *               table; watched until COMPLETED
 *   7 settings  TTL, PITR, tags (as a direct copy applies them), then streams, table class and
 *               deletion protection with UpdateTable
 *
 * Masks are checked against the source's keys, and the transform module loaded, at step 2: whatever
 * can be refused is refused before AWS's export starts. The masking reads the export and writes its
 * copy with the target's credentials (the side ImportTable reads the bucket as).
 *
 * Never throws for a failure it can explain: the outcome carries the typed error and a summary.
 */
import { randomUUID } from 'node:crypto';
import { type DdbCopyError, EXIT } from '../../errors.js';
import type { KeyTypes } from '../../model/item-check.js';
import { keyAttributeNames } from '../../model/key-schema.js';
import type { TableDescription } from '../../model/table.js';
import {
  exportIdOf,
  importRequest,
  planViaExportWithDirect,
  type ViaExportPlan,
} from '../../plan/via-export-plan.js';
import {
  applyTableUpdates,
  DEFAULT_POLL_SCHEDULE,
  type DynamoDbSink,
  type DynamoDbSource,
  type DynamoDbSpec,
  exportFailure,
  importFailure,
  type JobProgress,
  openSink,
  openSource,
  type PollSchedule,
  startExport,
  startImport,
  waitUntilActive,
  watchExport,
  watchImport,
} from '../../stores/open.js';
import type { StepName } from '../copy/events.js';
import { changesItems } from '../copy/item-options.js';
import type { CopyOptions } from '../copy/options.js';
import type { CopyHooks } from '../copy/run-copy.js';
import { prepareItemChanges } from '../shared/item-changes.js';
import {
  confirmReplacement,
  type DeletionQuestion,
  replaceTarget,
  throwIfAborted,
} from '../shared/replace-target.js';
import { failedOutcome, type RunOutcome } from '../shared/run-outcome.js';
import { checkAccount } from '../shared/side-account.js';
import { MASK_FILES_AT_ONCE, type MaskProgress, maskExport, probeMaskedLocation } from './mask-export.js';
import { summarizeViaExport, type ViaExportRunState, type ViaExportSummary } from './summary.js';

/** The numbered steps of `copy --via-export`, in order ('mask' only with masks or a transform). */
export type ViaExportStep = 'connect' | 'describe' | 'export' | 'mask' | 'delete' | 'import' | 'settings';
const STEPS: readonly ViaExportStep[] = ['connect', 'describe', 'export', 'delete', 'import', 'settings'];
const STEPS_WITH_MASK: readonly ViaExportStep[] = [
  'connect',
  'describe',
  'export',
  'mask',
  'delete',
  'import',
  'settings',
];

export type { MaskProgress } from './mask-export.js';

/**
 * What `copy --via-export` tells its caller, in order: numbered steps, the plan, warnings, and the
 * state of AWS's export and import jobs (and of the masking between them) as they run. It never prints.
 */
export type ViaExportEvent =
  | { type: 'step'; name: ViaExportStep; number: number; total: number; message: string }
  | { type: 'plan'; plan: ViaExportPlan }
  | { type: 'warning'; message: string }
  | { type: 'job'; progress: JobProgress }
  /** After each data file of the export is masked: files and items so far. */
  | { type: 'mask'; progress: MaskProgress };

/** What `copy --via-export` tells its caller (events) and asks it (deletion), and how it is cancelled. */
export interface ViaExportHooks extends Pick<CopyHooks, 'confirmDeletion' | 'signal'> {
  /** Told each step, each job's progress and each warning, for a renderer to show. */
  onEvent?: (event: ViaExportEvent) => void;
}

/** What the run is built from; tests replace these to stand in for AWS's export and import. */
export interface ViaExportDeps {
  /** Opens the sides (default: the store registry); a test wraps the clients they connect with. */
  open?: {
    source(spec: DynamoDbSpec): Promise<DynamoDbSource>;
    sink(spec: DynamoDbSpec): Promise<DynamoDbSink>;
  };
  poll?: PollSchedule;
  /**
   * Where a bucket's objects are, as an export-dir location (default `s3://BUCKET`, reached with the
   * target's credentials): the masking reads the export and writes its copy there. A test points it
   * at the directory standing in for the bucket.
   */
  bucketLocation?: (bucket: string) => string;
}

/** What runViaExport resolves with: the run outcome, and the plan once the run got that far. */
export interface ViaExportOutcome extends RunOutcome<ViaExportSummary> {
  plan?: ViaExportPlan;
}

/**
 * `copy --via-export`: AWS's ExportTableToPointInTime from the source into the S3 location, masking
 * of the export's files when masks or a transform are given, then ImportTable into a new target and
 * the settings ImportTable cannot take. Resolves with the outcome and never throws for a failure it
 * can explain (an export job that keeps running is named in the hint).
 */
export async function runViaExport(
  options: CopyOptions,
  hooks: ViaExportHooks = {},
  deps: ViaExportDeps = {},
): Promise<ViaExportOutcome> {
  const run: ViaExportRunState = {
    options,
    startedAt: performance.now(),
    schemaAction: 'none',
    settingsApplied: [],
    settingsUnsupported: [],
    warnings: [],
    exportMs: 0,
    importMs: 0,
  };
  const emit = (event: ViaExportEvent): void => {
    if (event.type === 'warning') run.warnings.push(event.message);
    hooks.onEvent?.(event);
  };
  try {
    await viaExportSteps(run, hooks, deps, emit);
    return { summary: summarizeViaExport(run, 'completed'), exitCode: EXIT.ok, ...planOf(run) };
  } catch (error) {
    const targetChanged = run.targetDeleted === true || run.importArn !== undefined;
    return {
      ...failedOutcome(error, { signal: hooks.signal, targetChanged }, (status, typed) =>
        summarizeViaExport(run, status, typed),
      ),
      ...planOf(run),
    };
  } finally {
    run.source?.close();
    run.target?.close();
  }
}

async function viaExportSteps(
  run: ViaExportRunState,
  hooks: ViaExportHooks,
  deps: ViaExportDeps,
  emit: (event: ViaExportEvent) => void,
): Promise<void> {
  const { options } = run;
  const signal = hooks.signal;
  const open = deps.open ?? {
    source: (spec: DynamoDbSpec) => openSource(spec),
    sink: (spec: DynamoDbSpec) => openSink(spec),
  };
  const schedule = deps.poll ?? DEFAULT_POLL_SCHEDULE;
  const steps = changesItems(options) ? STEPS_WITH_MASK : STEPS;
  const step = (name: ViaExportStep, message: string): void =>
    emit({ type: 'step', name, number: steps.indexOf(name) + 1, total: steps.length, message });
  const warn = (message: string): void => emit({ type: 'warning', message });
  const onProgress = (progress: JobProgress): void => emit({ type: 'job', progress });

  step('connect', 'Connecting to both sides');
  // Control-plane calls only: a few sockets are plenty.
  const source = await open.source({
    store: 'dynamodb',
    side: 'source',
    config: options.source,
    maxSockets: 4,
    exportJobs: true,
  });
  run.source = source;
  const sink = await open.sink({ store: 'dynamodb', side: 'target', config: options.target, maxSockets: 4 });
  run.target = sink;
  for (const message of [...source.warnings, ...sink.warnings]) warn(message);
  // Who each side is (STS), checked against --expect-X-account before anything is exported.
  const [sourceWho, targetWho] = await Promise.all([source.whoAmI(), sink.whoAmI()]);
  run.who = { source: sourceWho, target: targetWho };
  checkAccount(sourceWho, 'source', options.source, warn);
  checkAccount(targetWho, 'target', options.target, warn);

  step('describe', `Describing source table '${source.tableName}' and target table '${sink.tableName}'`);
  // PITR is read even with --skip pitr: the export cannot run without it.
  const snapshot = await source.describe(new Set([...options.skip].filter((setting) => setting !== 'pitr')));
  const existing = await sink.describe(signal);
  const keyAttributes = keyAttributeNames(snapshot.table);
  // Masks are checked against the keys, and a transform loaded, before anything is exported.
  const changes = changesItems(options)
    ? await prepareItemChanges(options, {
        sourceTable: source.tableName,
        table: snapshot.table,
        keyAttributes,
        rejectsFile: options.checkpoint.replace(/\.json$/, '.rejects.jsonl'),
      })
    : undefined;
  run.changes = changes;
  const { plan, direct } = planViaExportWithDirect({
    source: snapshot,
    sourceLocation: await source.locate(snapshot.table.TableArn),
    target: existing,
    targetLocation: await sink.locate(existing?.TableArn),
    sides: run.who,
    options,
    // A mask file may hold no rule for this table: then there is nothing to rewrite.
    itemChanges: changes?.stage && { masks: changes.describe, transform: options.transform?.module },
  });
  run.plan = plan;
  emit({ type: 'plan', plan });
  for (const message of [...(changes?.warnings ?? []), ...plan.warnings]) warn(message);
  if (options.dryRun) return;
  const confirmDeletion = hooks.confirmDeletion
    ? (question: DeletionQuestion) => hooks.confirmDeletion!({ ...question, plan: direct })
    : undefined;
  // Asked now, not after the minutes an export takes.
  await confirmReplacement({ sink, existing, yes: options.yes, confirmDeletion });
  throwIfAborted(signal);
  const bucket = deps.bucketLocation?.(plan.s3.bucket) ?? `s3://${plan.s3.bucket}`;
  if (plan.itemChanges) {
    // The masked copy must be writable: found out now, not once the export has run. The source side
    // reads its own export and writes the masked copy, so the target never needs to read the
    // unmasked data: its role reads only under masked/.
    await probeMaskedLocation({
      maskedLocation: `${bucket}/${plan.itemChanges.prefix}`,
      signer: source.signer,
    });
  }

  const s3Url = `s3://${plan.s3.bucket}${plan.s3.prefix ? `/${plan.s3.prefix}` : ''}`;
  step(
    'export',
    `Exporting '${source.tableName}' to ${s3Url} with ExportTableToPointInTime (AWS reads its PITR backups, not the table's capacity)`,
  );
  const exportStarted = performance.now();
  const started = await startExport(source.connection, { ...plan.export, ClientToken: randomUUID() }, signal);
  const exportArn = started.ExportArn!;
  run.exportArn = exportArn;
  run.exportId = exportIdOf(exportArn);
  run.exportDescription = started;
  try {
    run.exportDescription = await watchExport(source.connection, exportArn, { schedule, signal, onProgress });
  } finally {
    run.exportMs = performance.now() - exportStarted;
  }
  const exportError = exportFailure(run.exportDescription, exportArn);
  if (exportError) throw exportError;

  if (changes?.stage && plan.itemChanges) {
    const exportFolder = [plan.s3.prefix, 'AWSDynamoDB', run.exportId].filter(Boolean).join('/');
    const maskedLocation = `${bucket}/${plan.itemChanges.prefix}`;
    const rules = changes.rules.length;
    const what = [
      rules > 0 ? `${rules} mask rule${rules === 1 ? '' : 's'}` : '',
      options.transform ? `the transform ${options.transform.module}` : '',
    ].filter(Boolean);
    step(
      'mask',
      `Masking the export's data files (${what.join(' and ')}) into s3://${plan.s3.bucket}/${plan.itemChanges.prefix}/AWSDynamoDB/${run.exportId}/, ${MASK_FILES_AT_ONCE} files at a time`,
    );
    const maskStarted = performance.now();
    let endWarnings: string[];
    try {
      run.masked = await maskExport({
        exportLocation: `${bucket}/${exportFolder}`,
        maskedLocation,
        exportId: run.exportId!,
        signer: source.signer,
        stage: changes.stage,
        keyAttributes,
        keyTypes: keyTypesOf(snapshot.table, keyAttributes),
        snapshot,
        signal,
        onFile: (progress) => emit({ type: 'mask', progress }),
      });
    } finally {
      run.maskMs = performance.now() - maskStarted;
      // The rejects file is closed however the masking ended.
      endWarnings = await changes.finish();
    }
    const report = changes.report();
    const left = (report?.transform?.dropped ?? 0) + (report?.transform?.rejected ?? 0);
    if (run.masked.itemsRead !== run.masked.itemsWritten + left) {
      throw new Error(
        `bug: ${run.masked.itemsRead} items masked in, ${run.masked.itemsWritten} out, ${left} dropped or rejected`,
      );
    }
    for (const message of endWarnings) warn(message);
    warn(
      `AWS's export, unmasked, stays in s3://${plan.s3.bucket}/${exportFolder}/ (ddbcopy only read it); delete it once the copy is checked, as it holds the values the masks replace.`,
    );
  }

  // The target as it is now: the export took minutes, someone may have changed it meanwhile.
  const current = await sink.describe(signal);
  const result = await replaceTarget({
    sink,
    existing: current,
    createTable: (jobSignal) =>
      importTable(run, plan, sink, { schedule, signal: jobSignal, onProgress, step }),
    lateSettings: plan.lateSettings,
    // Confirmed above; a target that appeared during the export is asked about again.
    yes: options.yes || existing !== undefined,
    confirmDeletion,
    signal,
    onStep: (name, message) => step(name === 'create' ? 'import' : name, message),
    onWarning: warn,
    onDeleted: () => {
      run.targetDeleted = true;
    },
  });
  run.schemaAction = result.action;
  run.settingsApplied.push(...result.applied);
  run.settingsUnsupported.push(...result.unsupported);

  const updates = await applyTableUpdates(sink, plan.tableUpdates, {
    signal,
    onStep: (message) => step('settings', message),
    onWarning: warn,
  });
  run.settingsApplied.push(...updates.applied);
  run.settingsUnsupported.push(...updates.unsupported);
}

/** Step 5: ImportTable creates the target from the export's data files; returns once it is ACTIVE. */
async function importTable(
  run: ViaExportRunState,
  plan: ViaExportPlan,
  sink: DynamoDbSink,
  watch: {
    schedule: PollSchedule;
    signal: AbortSignal | undefined;
    onProgress: (progress: JobProgress) => void;
    step: (name: ViaExportStep, message: string) => void;
  },
): Promise<void> {
  const target = sink.connection;
  const request = importRequest(plan, run.exportArn!, randomUUID());
  run.importKeyPrefix = request.S3BucketSource!.S3KeyPrefix;
  watch.step(
    'import',
    `Importing s3://${plan.s3.bucket}/${run.importKeyPrefix} into '${target.tableName}' with ImportTable (it creates the table; no write capacity is consumed)`,
  );
  const importStarted = performance.now();
  const started = await startImport(target, request, watch.signal);
  const importArn = started.ImportArn!;
  run.importArn = importArn;
  run.importDescription = started;
  try {
    run.importDescription = await watchImport(target, importArn, watch);
  } finally {
    run.importMs = performance.now() - importStarted;
  }
  // A transform may have left items out of the masked copy: ImportTable is expected to load the rest.
  const expected = run.masked ? run.masked.itemsWritten : run.exportDescription?.ItemCount;
  const error = importFailure(run.importDescription, importArn, expected);
  if (error) throw error;
  await waitUntilActive(sink, watch.signal);
}

/** The type of each key attribute of the table, for checking the items the stage changed. */
function keyTypesOf(table: TableDescription, keyAttributes: readonly string[]): KeyTypes {
  const types: Record<string, 'S' | 'N' | 'B'> = {};
  for (const definition of table.AttributeDefinitions ?? []) {
    if (keyAttributes.includes(definition.AttributeName!)) {
      types[definition.AttributeName!] = definition.AttributeType as 'S' | 'N' | 'B';
    }
  }
  return types;
}

function planOf(run: ViaExportRunState): { plan?: ViaExportPlan } {
  return run.plan ? { plan: run.plan } : {};
}

/** The direct copy's step each via-export step stands in for, for library users of runCopy's events. */
const COPY_STEP: Record<ViaExportStep, StepName> = {
  connect: 'connect',
  describe: 'describe',
  export: 'copy',
  mask: 'copy',
  delete: 'delete',
  import: 'create',
  settings: 'settings',
};

/**
 * `runCopy` with --via-export: the copy's hooks, its events translated (steps and warnings; the
 * jobs' progress has no CopyEvent). The CLI calls runViaExport itself for the full picture.
 */
export async function runCopyViaExport(
  options: CopyOptions,
  hooks: CopyHooks,
): Promise<{ summary: ViaExportSummary; exitCode: number; error?: DdbCopyError }> {
  const onEvent = hooks.onEvent;
  const outcome = await runViaExport(options, {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.confirmDeletion ? { confirmDeletion: hooks.confirmDeletion } : {}),
    ...(onEvent
      ? {
          onEvent: (event: ViaExportEvent) => {
            if (event.type === 'step') onEvent({ ...event, name: COPY_STEP[event.name] });
            else if (event.type === 'warning') onEvent(event);
          },
        }
      : {}),
  });
  return {
    summary: outcome.summary,
    exitCode: outcome.exitCode,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}
