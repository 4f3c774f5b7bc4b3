import {
  isTableSet,
  type RawOptions,
  readPlanFile,
  refuseSetFlags,
  runExport,
  runExportTables,
  stringValue,
  validateExportOptions,
  validateTableSetOptions,
} from '../../index.js';
import type { CliIO } from '../io.js';
import { exportVerdict, humanExportSummary } from '../render/summary.js';
import { reportRun } from '../report-run.js';
import { reportTablesRun } from '../report-tables-run.js';

/** `ddbcopy export`: validate flags, export the table into a directory, report; returns the exit code. */
export async function exportCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[] = [],
): Promise<number> {
  if (isTableSet(raw, 'export')) return exportTablesCommand(raw, io, argv);
  refuseSetFlags(raw);
  const options = validateExportOptions(raw);
  return reportRun(raw, io, {
    command: 'export',
    interruptMessage:
      'Interrupted: finishing the files in flight and saving the checkpoint (Ctrl-C again to quit at once)...',
    run: (hooks) => runExport(options, hooks),
    verdict: exportVerdict,
    block: humanExportSummary,
  });
}

/** `ddbcopy export --tables ... --out DIR`: one export per table, under DIR/<table>/. */
async function exportTablesCommand(raw: RawOptions, io: CliIO, argv: readonly string[]): Promise<number> {
  const planPath = stringValue(raw.plan);
  const options = validateTableSetOptions(raw, 'export', planPath ? await readPlanFile(planPath) : undefined);
  return reportTablesRun(raw, io, argv, {
    command: 'export',
    interruptMessage:
      'Interrupted: finishing the files in flight of every table and saving the checkpoints (Ctrl-C again to quit at once)...',
    run: (hooks) => runExportTables(options, hooks),
  });
}
