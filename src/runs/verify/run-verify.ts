/**
 * Verifies a target against its source, step by step: connect both sides read-only, describe them,
 * plan, compare their definitions, compare their items. Neither side is ever written: both clients
 * refuse any operation but reads and describes before it is sent.
 */

import { compareItems } from '../../engine/verify/compare-items.js';
import { type DdbCopyError, InvalidOptionError, runFailure, type Side } from '../../errors.js';
import { compareSchemas } from '../../plan/schema-compare.js';
import { planVerify, type VerifyPlan } from '../../plan/verify-plan.js';
import { countRetries } from '../../runtime/count-retries.js';
import { Pacer } from '../../runtime/pacer.js';
import { VerifyStats } from '../../runtime/verify-stats.js';
import { type DynamoDbSource, openSource } from '../../stores/open.js';
import { prepareItemChanges } from '../shared/item-changes.js';
import { inCallerWords } from '../shared/option-wording.js';
import { summaryOrThrow } from '../shared/run-outcome.js';
import { checkAccount } from '../shared/side-account.js';
import type { VerifyEvent, VerifyStepName } from './events.js';
import type { VerifyOptions } from './options.js';
import { summarizeVerify, type VerifyRunState, type VerifySummary } from './summary.js';

/** What a verify tells its caller (events), and how it is cancelled. */
export interface VerifyHooks {
  /** Steps, progress and warnings, for a renderer. A verify never prints. */
  onEvent?: (event: VerifyEvent) => void;
  /** Cancels the run: scans stop, the outcome says `interrupted`. */
  signal?: AbortSignal;
}

/** What runVerify resolves with: the summary, the typed error of a failed run, and the plan. */
export interface VerifyOutcome {
  summary: VerifySummary;
  /** Set when the run failed or was interrupted; a run that found differences has no error. */
  error?: DdbCopyError;
  plan?: VerifyPlan;
}

/** Requests in flight per side at most: the engine scans up to 8 segments of each at a time. */
const SOCKETS_PER_SIDE = 16;

/**
 * Runs a verify. Never throws for a failure it can explain: the outcome carries the typed error and
 * what was learned up to then. Differences are a result (status `different`), not an error.
 */
export async function runVerify(options: VerifyOptions, hooks: VerifyHooks = {}): Promise<VerifyOutcome> {
  const stats = new VerifyStats();
  const run: VerifyRunState = {
    source: { table: options.source.table, region: options.source.region ?? null, endpoint: null },
    target: { table: options.target.table, region: options.target.region ?? null, endpoint: null },
    segments: 0,
    buckets: 0,
    comparison: undefined,
    schemaDifferences: [],
    schemaNotCompared: [],
    consumedRead: stats.consumedRead,
    retries: stats.retries,
    durationMs: 0,
    warnings: [],
  };
  const emit = (event: VerifyEvent): void => {
    if (event.type === 'warning') run.warnings.push(event.message);
    hooks.onEvent?.(event);
  };
  const connections: Partial<Record<Side, DynamoDbSource>> = {};
  let plan: VerifyPlan | undefined;
  const finish = (error?: DdbCopyError): VerifyOutcome => {
    run.durationMs = stats.elapsedMs;
    const outcome: VerifyOutcome = { summary: summarizeVerify(run, error) };
    if (error) outcome.error = error;
    if (plan) outcome.plan = plan;
    return outcome;
  };
  try {
    plan = await verifySteps(options, hooks, emit, run, stats, connections);
    return finish();
  } catch (error) {
    const typed = inCallerWords(runFailure(error, hooks.signal));
    if (!typed) throw error;
    return finish(typed);
  } finally {
    // Keep-alive sockets would otherwise hold the process open.
    connections.source?.close();
    connections.target?.close();
  }
}

/** The library's entry point: resolves with the summary (identical or different), throws the typed error when the verify failed. */
export async function verifyTables(options: VerifyOptions, hooks: VerifyHooks = {}): Promise<VerifySummary> {
  return summaryOrThrow(await runVerify(options, hooks));
}

async function verifySteps(
  options: VerifyOptions,
  hooks: VerifyHooks,
  emit: (event: VerifyEvent) => void,
  run: VerifyRunState,
  stats: VerifyStats,
  connections: Partial<Record<Side, DynamoDbSource>>,
): Promise<VerifyPlan> {
  const step = (name: VerifyStepName, message: string): void => emit({ type: 'step', name, message });
  const pacers: Partial<Record<Side, Pacer>> = {};

  step('connect', 'Connecting to both sides (read-only)');
  // Both sides are only read: each is opened as a Source, whose client refuses any write.
  const connect = async (side: Side): Promise<DynamoDbSource> => {
    const opened = await openSource(
      { store: 'dynamodb', side, config: options[side], maxSockets: SOCKETS_PER_SIDE },
      { onRetry: countRetries(stats, () => pacers[side]) },
    );
    connections[side] = opened;
    run[side] = opened.identity;
    // Who the side is (STS), checked against --expect-X-account before anything is read.
    const who = await opened.whoAmI();
    if (who.account) run[side] = { ...opened.identity, account: who.account };
    checkAccount(who, side, options[side], (message) => emit({ type: 'warning', message }));
    return opened;
  };
  const source = await connect('source');
  const target = await connect('target');

  step('describe', `Describing source table '${run.source.table}' and target table '${run.target.table}'`);
  const [sourceSnapshot, targetSnapshot] = await Promise.all([
    source.describe(options.skip),
    target.describe(options.skip),
  ]);
  const plan = planVerify({ source: sourceSnapshot, target: targetSnapshot, options });
  run.segments = plan.segments;
  run.buckets = plan.buckets;
  stats.expected.source = plan.source.estimate.items;
  stats.expected.target = plan.target.estimate.items;
  emit({ type: 'plan', plan });

  step('schema', 'Comparing the table definitions');
  const schema = compareSchemas(sourceSnapshot, targetSnapshot, options.skip);
  run.schemaDifferences = schema.differences;
  run.schemaNotCompared = schema.notCompared;
  if (schema.notCompared.length > 0) {
    emit({
      type: 'warning',
      message: `not compared, as an endpoint does not report them: ${schema.notCompared.join(', ')}`,
    });
  }

  // A filtered, masked or transformed copy: the source is compared as the copy changed it.
  // An item the transform throws on is left out here as a skipping copy left it out (no rejects file).
  const changes = await prepareItemChanges(
    options.transform ? { ...options, transform: { ...options.transform, onError: 'skip' } } : options,
    {
      sourceTable: run.source.table,
      table: sourceSnapshot.table,
      keyAttributes: plan.keyAttributes,
      rejectsFile: '',
    },
  );
  if (options.transform && !changes.deterministic) {
    throw new InvalidOptionError(
      `The transform ${options.transform.module} does not declare itself deterministic, so what it made of the source cannot be made again to compare.`,
      {
        hint: 'If the same item always gives the same result, add `export const deterministic = true;` to the module.',
      },
    );
  }
  pacers.source = new Pacer(plan.source.readRate);
  pacers.target = new Pacer(plan.target.readRate);
  const comparison = await compareItems({
    source: {
      side: 'source',
      store: source,
      pacer: pacers.source,
      scanLimit: plan.source.scanLimit,
      readUnitsPerPage: plan.source.readUnitsPerPage,
      filter: options.filter,
      stage: changes.stage,
    },
    target: {
      side: 'target',
      store: target,
      pacer: pacers.target,
      scanLimit: plan.target.scanLimit,
      readUnitsPerPage: plan.target.readUnitsPerPage,
    },
    keyAttributes: plan.keyAttributes,
    totalSegments: plan.segments,
    scanConcurrency: plan.scanConcurrency,
    consistentRead: options.consistentRead,
    buckets: plan.buckets,
    samples: options.samples,
    maxDrillEntries: plan.maxDrillEntries,
    stats,
    onEvent: emit,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  run.comparison = comparison;
  for (const message of comparison.warnings) emit({ type: 'warning', message });
  return plan;
}
