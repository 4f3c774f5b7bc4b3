/**
 * Verifies a set of tables (`verify --tables 'prod-*' --rename prod-=staging-`): each pair compared as
 * a one-table verify compares it, a few pairs at a time. Nothing is written on either side, so there
 * is no confirmation and no run record (a verify starts over; it is not resumable).
 */
import {
  type DdbCopyError,
  EXIT,
  errorReport,
  TablesFailedError,
  VerificationFailedError,
} from '../../errors.js';
import type { RawOptions } from '../copy/options.js';
import { collectWarnings, failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import type { VerifyEvent } from '../verify/events.js';
import { type VerifyOptions, validateVerifyOptions } from '../verify/options.js';
import { runVerify } from '../verify/run-verify.js';
import type { VerifySummary } from '../verify/summary.js';
import type { TablesEvent } from './events.js';
import type { TableSetOptions } from './options.js';
import { pairError } from './pair-error.js';
import { parallelTablesOf, runSet, type SetMember } from './run-set.js';
import { resolveTableSet, type SetPair } from './select-tables.js';
import { emptyTablesSummary, type TablesSummary } from './summary.js';

/** What a set's verify tells its caller, and how it is cancelled. */
export interface VerifyTablesHooks {
  /** Told each table's verify events, tagged with its pair, and the set's own (selected, planned, done). */
  onEvent?: (event: TablesEvent<VerifyEvent, VerifySummary>) => void;
  signal?: AbortSignal;
}

/**
 * Verifies a set of tables: select and map the names, check every pair's options, then compare the
 * pairs a few at a time. A pair that differs is that table's failure (VerificationFailedError), so a
 * set with any difference ends `failed`, exit 1, naming the tables. Never throws for a failure it can
 * explain.
 */
export async function runVerifyTables(
  options: TableSetOptions,
  hooks: VerifyTablesHooks = {},
): Promise<RunOutcome<TablesSummary<VerifySummary>>> {
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  try {
    const resolved = await resolveTableSet(options, hooks.signal);
    for (const message of new Set(resolved.warnings)) warn(message);
    const { pairs } = resolved;
    const members = pairs.map((pair, index) => memberOf(pair, index, options));
    const parallelTables = parallelTablesOf(options, pairs.length);
    hooks.onEvent?.({ type: 'selected', pairs, parallelTables });
    const outcome = await runSet<VerifyOptions, VerifyEvent, VerifySummary>({
      command: 'verify',
      members,
      parallelTables,
      failFast: options.failFast,
      signal: hooks.signal,
      record: undefined,
      warnings,
      onEvent: hooks.onEvent,
      runOne: verifyOne,
      measure: (summary) => ({ items: summary.sourceItems, bytes: 0 }),
    });
    return withDifferencesNamed(outcome);
  } catch (error) {
    return failedOutcome(error, { signal: hooks.signal, targetChanged: false }, (status, typed) =>
      emptyTablesSummary('verify', status, null, warnings, typed),
    );
  }
}

/** The library's entry point for a set: resolves with the summary, throws the typed error when any pair differs or failed. */
export async function verifyTableSet(
  options: TableSetOptions,
  hooks: VerifyTablesHooks = {},
): Promise<TablesSummary<VerifySummary>> {
  return summaryOrThrow(await runVerifyTables(options, hooks));
}

/** A pair's own verify options, validated like a one-table verify's (the plan file's settings on top). */
function memberOf(pair: SetPair, index: number, options: TableSetOptions): SetMember<VerifyOptions> {
  const raw: RawOptions = {
    ...options.tableFlags,
    ...pair.overrides,
    source: pair.source,
    target: pair.target,
  };
  try {
    const validated = validateVerifyOptions(raw);
    // The set's sides as given (a library caller's credentials too), with this pair's tables.
    const tableOptions: VerifyOptions = Object.freeze({
      ...validated,
      source: Object.freeze({ ...options.source, table: pair.source }),
      target: Object.freeze({ ...options.target, table: pair.target }),
    });
    return { index, pair, options: tableOptions, doneBefore: false, weight: 0 };
  } catch (error) {
    throw pairError(pair, error);
  }
}

/** One pair's verify as a run outcome: a pair that differs fails (exit 1) with what differs. */
async function verifyOne(
  member: SetMember<VerifyOptions>,
  hooks: { signal: AbortSignal; onEvent: (event: VerifyEvent) => void },
): Promise<RunOutcome<VerifySummary>> {
  const { summary, error } = await runVerify(member.options, hooks);
  if (error) return { summary, error, exitCode: error.exitCode };
  if (summary.status === 'identical') return { summary, exitCode: EXIT.ok };
  const differences = new VerificationFailedError(
    `'${member.pair.target}' differs from '${member.pair.source}': ${summary.missing} missing, ${summary.extra} extra, ${summary.different} different item(s)${summary.schemaDifferences.length ? `; schema: ${summary.schemaDifferences.join('; ')}` : ''}.`,
    {
      side: 'target',
      hint: `Run ddbcopy verify --source ${member.pair.source} --target ${member.pair.target} (with the same sides) to see the keys, or copy the table again.`,
    },
  );
  return { summary, error: differences, exitCode: differences.exitCode };
}

/** The set's failure in verify's words: the tables that differ (or could not be verified), by name. */
function withDifferencesNamed(
  outcome: RunOutcome<TablesSummary<VerifySummary>>,
): RunOutcome<TablesSummary<VerifySummary>> {
  if (!(outcome.error instanceof TablesFailedError)) return outcome;
  const { summary } = outcome;
  const failing = summary.tables.filter(
    (table): table is VerifySummary =>
      'command' in table && table.status !== 'identical' && table.status !== 'interrupted',
  );
  const differ = failing.filter((table) => table.status === 'different').map(pairName);
  const broken = failing.filter((table) => table.status === 'failed').map(pairName);
  const parts = [
    ...(differ.length
      ? [`${differ.length} of ${summary.totals.tables} table(s) differ: ${differ.join(', ')}`]
      : []),
    ...(broken.length ? [`${broken.length} could not be verified: ${broken.join(', ')}`] : []),
  ];
  const fastStop = outcome.error.message.includes('--fail-fast') ? ' (stopped by --fail-fast)' : '';
  const error: DdbCopyError = new TablesFailedError(`${parts.join('; ')}${fastStop}.`, {
    hint: "Each table's differences (counts, sample keys) or error are in the summary; --json lists the keys.",
  });
  return { ...outcome, error, summary: { ...summary, error: errorReport(error) } };
}

function pairName(summary: VerifySummary): string {
  return `${summary.source.table} → ${summary.target.table}`;
}
