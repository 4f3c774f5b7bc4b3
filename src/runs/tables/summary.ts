import { type DdbCopyError, type ErrorReport, errorReport } from '../../errors.js';

/** A pair that did not run in this invocation: finished by an earlier run, or stopped by --fail-fast or an interrupt. */
export interface NotRunTable {
  source: { table: string };
  target: { table: string };
  status: 'done-before' | 'not-started';
}

/**
 * The `--json` document of a run over a set of tables (README, "JSON summary"): the one-table
 * summary of every pair, in the set's order, and totals. A contract: fields are only ever added.
 */
export interface TablesSummary<TableSummary> {
  command: 'copy' | 'verify' | 'export' | 'import';
  status: 'completed' | 'failed' | 'interrupted' | 'planned';
  tables: (TableSummary | NotRunTable)[];
  totals: {
    tables: number;
    completed: number;
    failed: number;
    interrupted: number;
    /** Finished by an earlier run of the same record (resume): not touched again. */
    doneBefore: number;
    notStarted: number;
    /** Items written (copy, import) or stored (export) by this run, over every table. */
    items: number;
    bytes: number;
    durationMs: number;
    itemsPerSecond: number;
  };
  /** The set's run record: `--resume` continues from it. */
  checkpoint: string | null;
  warnings: string[];
  error?: ErrorReport;
}

/** The summary of a set that stopped before any table ran (refused, or planned only). */
export function emptyTablesSummary<TableSummary>(
  command: TablesSummary<TableSummary>['command'],
  status: TablesSummary<TableSummary>['status'],
  checkpoint: string | null,
  warnings: readonly string[],
  error?: DdbCopyError,
): TablesSummary<TableSummary> {
  return {
    command,
    status,
    tables: [],
    totals: {
      tables: 0,
      completed: 0,
      failed: 0,
      interrupted: 0,
      doneBefore: 0,
      notStarted: 0,
      items: 0,
      bytes: 0,
      durationMs: 0,
      itemsPerSecond: 0,
    },
    checkpoint,
    warnings: [...warnings],
    ...(error ? { error: errorReport(error) } : {}),
  };
}

/** What each set's command does to a table, for messages ("finished tables are not copied again"). */
export const DONE_WORD: Record<TablesSummary<unknown>['command'], string> = {
  copy: 'copied',
  verify: 'verified',
  export: 'exported',
  import: 'imported',
};
