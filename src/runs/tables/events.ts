import type { DdbCopyError } from '../../errors.js';
import type { TablePair } from '../../plan/table-selection.js';
import type { TablePlanEntry } from './set-plan.js';

/**
 * What a run over a set of tables tells a renderer. `event` is the one-table run's own event (a copy's
 * CopyEvent, a verify's VerifyEvent, ...), tagged with the pair it belongs to, so one renderer per
 * table can be reused as it is.
 */
export type TablesEvent<TableEvent, TableSummary> =
  /** The set is known: every pair, in the order the summary lists them, and how many run at once. */
  | { type: 'selected'; pairs: readonly TablePair[]; parallelTables: number }
  /** Every pair planned (described, compared with its target): what --dry-run prints. */
  | { type: 'planned'; entries: readonly TablePlanEntry[] }
  /** A pair's run begins (after the one confirmation for the set). */
  | { type: 'table-started'; index: number; pair: TablePair }
  | { type: 'table-event'; index: number; pair: TablePair; event: TableEvent }
  /** A pair's run ended: its one-table summary, and its error when it failed or was interrupted. */
  | {
      type: 'table-finished';
      index: number;
      pair: TablePair;
      summary: TableSummary;
      error?: DdbCopyError;
    }
  /** A pair that a previous run of the same record finished: it gets no request. */
  | { type: 'table-skipped'; index: number; pair: TablePair; reason: string }
  | { type: 'warning'; message: string };
