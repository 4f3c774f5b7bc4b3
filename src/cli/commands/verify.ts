import {
  EXIT,
  isTableSet,
  type RawOptions,
  readPlanFile,
  refuseSetFlags,
  runVerify,
  runVerifyTables,
  stringValue,
  validateTableSetOptions,
  validateVerifyOptions,
} from '../../index.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { openOutput } from '../output/output.js';
import { reportEnd } from '../output/run-end.js';
import { createVerifyReporter } from '../render/verify-reporter.js';
import { humanVerifySummary, verdict } from '../render/verify-summary.js';
import { reportTablesRun } from '../report-tables-run.js';

/** `ddbcopy verify`: validate flags, compare the tables, render the result; 0 identical, 1 different. */
export async function verifyCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[] = [],
): Promise<number> {
  if (isTableSet(raw, 'verify')) return verifyTablesCommand(raw, io, argv);
  refuseSetFlags(raw);
  const options = validateVerifyOptions(raw);
  const output = openOutput(raw, io, 'verify');
  const reporter = createVerifyReporter(output);
  const interrupt = interruptSignal(() =>
    output.io.stderr.write('\nInterrupted: stopping the scans (Ctrl-C again to quit at once)...\n'),
  );
  try {
    const { summary, error } = await runVerify(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
    });
    // The bar ends its line before anything else is written.
    reporter.close();
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    const exitCode = error ? error.exitCode : summary.status === 'identical' ? EXIT.ok : EXIT.failed;
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode,
        verdict: verdict(summary),
        block: humanVerifySummary(summary),
        error,
      },
      { json: raw.json === true },
    );
    return exitCode;
  } finally {
    reporter.close();
    interrupt.dispose();
    output.close();
  }
}

/** `ddbcopy verify --tables ...`: every pair of the set compared; 0 when all are identical, 1 naming those that differ. */
async function verifyTablesCommand(raw: RawOptions, io: CliIO, argv: readonly string[]): Promise<number> {
  const planPath = stringValue(raw.plan);
  const options = validateTableSetOptions(raw, 'verify', planPath ? await readPlanFile(planPath) : undefined);
  return reportTablesRun(raw, io, argv, {
    command: 'verify',
    interruptMessage: 'Interrupted: stopping the scans of every table (Ctrl-C again to quit at once)...',
    run: (hooks) => runVerifyTables(options, hooks),
  });
}
