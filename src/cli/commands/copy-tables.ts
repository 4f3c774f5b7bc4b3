import {
  type RawOptions,
  readPlanFile,
  runCopyTables,
  stringValue,
  validateTableSetOptions,
} from '../../index.js';
import { confirmSetDeletion } from '../confirm.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { openOutput } from '../output/output.js';
import { reportEnd } from '../output/run-end.js';
import { createTablesReporter } from '../render/tables-reporter.js';
import { humanTablesPlan, humanTablesSummary, tablesVerdict } from '../render/tables-summary.js';
import { resumeCommand } from './resume-command.js';

/** `ddbcopy copy --tables ...`: a set of tables, one confirmation, one progress display, one summary. */
export async function copyTablesCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[],
): Promise<number> {
  const planPath = stringValue(raw.plan);
  const options = validateTableSetOptions(raw, 'copy', planPath ? await readPlanFile(planPath) : undefined);
  const output = openOutput(raw, io, 'copy');
  const reporter = createTablesReporter(output, 'copy', raw.json === true);
  const interrupt = interruptSignal(() =>
    output.io.stderr.write(
      '\nInterrupted: stopping every table; requests already sent finish, progress is saved (Ctrl-C again to quit at once).\n',
    ),
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const outcome = await runCopyTables(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
      ...(interactive ? { confirmDeletion: (question) => confirmSetDeletion(io, question) } : {}),
    });
    reporter.close();
    const { summary, plan, estimate, error } = outcome;
    if (raw.json) {
      const document =
        options.dryRun && plan ? { ...summary, plan, ...(estimate ? { estimate } : {}) } : summary;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (options.dryRun && plan && !error) {
      io.stdout.write(`${humanTablesPlan(plan, estimate)}
`);
    }
    const dryRun = options.dryRun && plan !== undefined && !error;
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode: outcome.exitCode,
        verdict: dryRun ? 'Dry run: the plan is on stdout; nothing was changed.' : tablesVerdict(summary),
        block: dryRun || summary.tables.length === 0 ? undefined : humanTablesSummary(summary),
        blockOnError: true,
        error,
      },
      { json: raw.json === true },
    );
    if (error && summary.checkpoint && summary.tables.length > 0 && summary.status !== 'completed') {
      output.io.stderr.write(`To continue where it stopped: ${resumeCommand(argv)}\n`);
    }
    return outcome.exitCode;
  } finally {
    reporter.close();
    interrupt.dispose();
    output.close();
  }
}
