import { setMaxListeners } from 'node:events';
import { type DdbCopyError, EXIT, errorReport, InterruptedError, TablesFailedError } from '../../errors.js';
import type { TablePair } from '../../plan/table-selection.js';
import type { RunOutcome } from '../shared/run-outcome.js';
import type { TablesEvent } from './events.js';
import type { SetRecordWriter } from './set-record.js';
import { DONE_WORD, type NotRunTable, type TablesSummary } from './summary.js';

/** Tables planned (described, compared with their targets) at the same time before a set runs. */
export const PLANNING_PARALLELISM = 8;
/** Tables run at the same time unless --parallel-tables says otherwise. */
const DEFAULT_PARALLEL_TABLES = 4;

/** How many of `pairs` tables run at once: --parallel-tables, else up to 4; at least one. */
export function parallelTablesOf(options: { parallelTables: number | undefined }, pairs: number): number {
  return Math.max(1, Math.min(options.parallelTables ?? DEFAULT_PARALLEL_TABLES, pairs));
}

/** One pair of a set, ready to run: its own options, and how big it is (the biggest start first). */
export interface SetMember<Options> {
  index: number;
  pair: TablePair;
  options: Options;
  /** Finished by an earlier run of the same record: it gets no request. */
  doneBefore: boolean;
  /** The source's size in bytes, as planned. */
  weight: number;
}

/** What one table's run gets from the set: its own cancel signal and its events' way out. */
export interface MemberHooks<Event> {
  signal: AbortSignal;
  onEvent: (event: Event) => void;
}

export interface SetRunInput<Options, Event, Summary> {
  command: TablesSummary<Summary>['command'];
  members: readonly SetMember<Options>[];
  parallelTables: number;
  failFast: boolean;
  signal: AbortSignal | undefined;
  record: SetRecordWriter | undefined;
  warnings: readonly string[];
  onEvent: ((event: TablesEvent<Event, Summary>) => void) | undefined;
  runOne: (member: SetMember<Options>, hooks: MemberHooks<Event>) => Promise<RunOutcome<Summary>>;
  /** Items and bytes a table's summary says this run moved. */
  measure: (summary: Summary) => { items: number; bytes: number };
}

type Result<Summary> = { summary: Summary; error?: DdbCopyError } | NotRunTable;

/**
 * Runs the pairs of a set, up to `parallelTables` at once, the biggest first so that the small ones
 * fill the other slots instead of waiting behind it. One table failing does not stop the others
 * unless `failFast`; then the tables in flight are interrupted (their records keep their progress) and
 * no new one starts. The set's record marks each pair as it ends.
 */
export async function runSet<Options, Event, Summary>(
  input: SetRunInput<Options, Event, Summary>,
): Promise<RunOutcome<TablesSummary<Summary>>> {
  const started = performance.now();
  const results: Result<Summary>[] = input.members.map((member) => ({
    source: { table: member.pair.source },
    target: { table: member.pair.target },
    status: member.doneBefore ? 'done-before' : 'not-started',
  }));
  // Stops the tables in flight on the user's interrupt, or on the first failure with --fail-fast.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) onAbort();
  let failedFast = false;

  for (const member of input.members) {
    if (member.doneBefore) {
      input.onEvent?.({
        type: 'table-skipped',
        index: member.index,
        pair: member.pair,
        reason: 'finished by an earlier run of this record',
      });
    }
  }
  const queue = input.members.filter((m) => !m.doneBefore).sort((a, b) => b.weight - a.weight);
  const lane = async (): Promise<void> => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      if (stop.signal.aborted) return;
      const { index, pair } = member;
      input.onEvent?.({ type: 'table-started', index, pair });
      const outcome = await input.runOne(member, {
        signal: stop.signal,
        onEvent: (event) => input.onEvent?.({ type: 'table-event', index, pair, event }),
      });
      results[index] = outcome.error
        ? { summary: outcome.summary, error: outcome.error }
        : { summary: outcome.summary };
      const status = !outcome.error
        ? 'completed'
        : outcome.exitCode === EXIT.interrupted
          ? 'interrupted'
          : 'failed';
      await input.record?.mark(index, status);
      input.onEvent?.({
        type: 'table-finished',
        index,
        pair,
        summary: outcome.summary,
        ...(outcome.error ? { error: outcome.error } : {}),
      });
      if (status === 'failed' && input.failFast && !stop.signal.aborted) {
        failedFast = true;
        stop.abort(new InterruptedError(`Stopped by --fail-fast after '${pair.source}' failed.`));
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(input.parallelTables, queue.length)) }, lane),
    );
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
  return setOutcome(input, results, performance.now() - started, failedFast);
}

function setOutcome<Options, Event, Summary>(
  input: SetRunInput<Options, Event, Summary>,
  results: readonly Result<Summary>[],
  durationMs: number,
  failedFast: boolean,
): RunOutcome<TablesSummary<Summary>> {
  const count = { completed: 0, failed: 0, interrupted: 0, doneBefore: 0, notStarted: 0 };
  let items = 0;
  let bytes = 0;
  const failedNames: string[] = [];
  for (const [index, result] of results.entries()) {
    if ('summary' in result) {
      const moved = input.measure(result.summary);
      items += moved.items;
      bytes += moved.bytes;
      if (!result.error) count.completed += 1;
      else if (result.error.exitCode === EXIT.interrupted) count.interrupted += 1;
      else {
        count.failed += 1;
        failedNames.push(input.members[index]!.pair.source);
      }
    } else if (result.status === 'done-before') count.doneBefore += 1;
    else count.notStarted += 1;
  }
  const interrupted = input.signal?.aborted === true;
  let error: DdbCopyError | undefined;
  if (count.failed > 0) {
    error = new TablesFailedError(
      `${count.failed} of ${results.length} table(s) failed: ${failedNames.join(', ')}${failedFast ? ' (stopped by --fail-fast)' : ''}.`,
      {
        hint: input.record
          ? `Each table's error is in the summary. Fix them and run the same command with --resume: finished tables are not ${DONE_WORD[input.command]} again.`
          : "Each table's error is in the summary.",
      },
    );
  } else if (interrupted || count.interrupted > 0 || count.notStarted > 0) {
    error = new InterruptedError(
      `Interrupted: ${count.completed + count.doneBefore} of ${results.length} table(s) finished.`,
      input.record
        ? {
            hint: `Run the same command with --resume to continue: finished tables are not ${DONE_WORD[input.command]} again.`,
          }
        : { hint: 'Run the same command again: a run without a record starts over.' },
    );
  }
  const summary: TablesSummary<Summary> = {
    command: input.command,
    status: !error ? 'completed' : error.exitCode === EXIT.interrupted ? 'interrupted' : 'failed',
    tables: results.map((result) => ('summary' in result ? result.summary : result)),
    totals: {
      tables: results.length,
      ...count,
      items,
      bytes,
      durationMs: Math.round(durationMs),
      itemsPerSecond: durationMs > 0 ? Math.round((items / durationMs) * 1000) : 0,
    },
    checkpoint: input.record?.file ?? null,
    warnings: [...input.warnings],
    ...(error ? { error: errorReport(error) } : {}),
  };
  return {
    summary,
    exitCode: error ? (interrupted && count.failed === 0 ? EXIT.interrupted : error.exitCode) : EXIT.ok,
    ...(error ? { error } : {}),
  };
}
