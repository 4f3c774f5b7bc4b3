import type { ExportEvent, ImportEvent, RawOptions, RunOutcome } from '../index.js';
import { interruptSignal } from './interrupt.js';
import type { CliIO } from './io.js';
import { openOutput } from './output/output.js';
import { reportEnd } from './output/run-end.js';
import { createReporter } from './render/reporter.js';

/** The hooks `export` and `import` runs take from the CLI. */
export interface RunHooks {
  signal: AbortSignal;
  onEvent: (event: ExportEvent | ImportEvent) => void;
}

/** What an export's or an import's summary offers the end of the report. */
interface EndSummary {
  status: string;
}

/**
 * Runs an export or an import for the command line, as copy is reported: numbered steps, warnings
 * and progress on stderr (or as JSON events), Ctrl-C as a graceful stop, then the --json summary on
 * stdout, the summary block (--quiet: the one-line verdict) and the error if any. Returns the exit code.
 */
export async function reportRun<Summary extends EndSummary>(
  raw: RawOptions,
  io: CliIO,
  spec: {
    command: 'export' | 'import';
    interruptMessage: string;
    run: (hooks: RunHooks) => Promise<RunOutcome<Summary>>;
    verdict: (summary: Summary) => string;
    block: (summary: Summary) => string;
  },
): Promise<number> {
  const output = openOutput(raw, io, spec.command);
  const reporter = createReporter(output, spec.command === 'export' ? 'exported' : 'imported');
  const interrupt = interruptSignal(() => output.io.stderr.write(`\n${spec.interruptMessage}\n`));
  try {
    const outcome = await spec.run({ signal: interrupt.signal, onEvent: reporter.onEvent });
    // The bar ends its line before anything else is written.
    reporter.close();
    const { summary, error } = outcome;
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode: outcome.exitCode,
        verdict: spec.verdict(summary),
        block: spec.block(summary),
        blockOnError: summary.status === 'interrupted',
        error,
      },
      { json: raw.json === true },
    );
    return error ? outcome.exitCode : 0;
  } finally {
    reporter.close();
    interrupt.dispose();
    output.close();
  }
}
