import {
  isTableSet,
  type RawOptions,
  readPlanFile,
  refuseSetFlags,
  runImport,
  runImportTables,
  stringValue,
  validateImportOptions,
  validateTableSetOptions,
} from '../../index.js';
import { confirmDeletion, confirmSetDeletion } from '../confirm.js';
import type { CliIO } from '../io.js';
import { humanImportSummary, importVerdict } from '../render/summary.js';
import { reportRun } from '../report-run.js';
import { reportTablesRun } from '../report-tables-run.js';

/** `ddbcopy import`: validate flags, import the export into the target, report; returns the exit code. */
export async function importCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[] = [],
): Promise<number> {
  if (isTableSet(raw, 'import')) return importTablesCommand(raw, io, argv);
  refuseSetFlags(raw);
  const options = validateImportOptions(raw);
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  return reportRun(raw, io, {
    command: 'import',
    interruptMessage:
      'Interrupted: stopping; requests already sent finish, progress is saved (Ctrl-C again to quit at once).',
    run: (hooks) =>
      runImport(options, {
        ...hooks,
        ...(interactive ? { confirmDeletion: (question) => confirmDeletion(io, question) } : {}),
      }),
    verdict: importVerdict,
    block: humanImportSummary,
  });
}

/** `ddbcopy import --from DIR --tables ... [--rename FROM=TO]`: every export folder under DIR, one confirmation. */
async function importTablesCommand(raw: RawOptions, io: CliIO, argv: readonly string[]): Promise<number> {
  const planPath = stringValue(raw.plan);
  const options = validateTableSetOptions(raw, 'import', planPath ? await readPlanFile(planPath) : undefined);
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  return reportTablesRun(raw, io, argv, {
    command: 'import',
    interruptMessage:
      'Interrupted: stopping every table; requests already sent finish, progress is saved (Ctrl-C again to quit at once).',
    run: (hooks) =>
      runImportTables(options, {
        ...hooks,
        ...(interactive ? { confirmDeletion: (question) => confirmSetDeletion(io, question) } : {}),
      }),
  });
}
