import type { RawOptions, RunOutcome, TablesSummary } from '../index.js';
import { resumeCommand } from './commands/resume-command.js';
import { interruptSignal } from './interrupt.js';
import type { CliIO } from './io.js';
import { openOutput } from './output/output.js';
import { reportEnd } from './output/run-end.js';
import { type AnyTablesEvent, createTablesReporter } from './render/tables-reporter.js';
import { humanTablesSummary, tablesVerdict } from './render/tables-summary.js';

/** The hooks a set's run (verify, export, import) takes from the CLI. */
export interface TablesRunHooks {
  onEvent: (event: AnyTablesEvent) => void;
  signal: AbortSignal;
}

/**
 * Runs a set of tables for the command line (verify, export, import; copy has its own for --dry-run):
 * one progress display, Ctrl-C as a graceful stop, then the --json TablesSummary on stdout or the
 * set's report on stderr, the error if any, and how to resume. Returns the exit code.
 */
export async function reportTablesRun(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[],
  spec: {
    command: 'verify' | 'export' | 'import';
    interruptMessage: string;
    run: (hooks: TablesRunHooks) => Promise<RunOutcome<TablesSummary<unknown>>>;
  },
): Promise<number> {
  const output = openOutput(raw, io, spec.command);
  const reporter = createTablesReporter(output, spec.command, raw.json === true);
  const interrupt = interruptSignal(() => output.io.stderr.write(`\n${spec.interruptMessage}\n`));
  try {
    const outcome = await spec.run({ onEvent: reporter.onEvent, signal: interrupt.signal });
    reporter.close();
    const { summary, error } = outcome;
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode: outcome.exitCode,
        verdict: tablesVerdict(summary),
        block: summary.tables.length > 0 ? humanTablesSummary(summary) : undefined,
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
