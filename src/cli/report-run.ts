import type { RawOptions, RunOutcome } from '../index.js';
import { interruptSignal } from './interrupt.js';
import type { CliIO } from './io.js';
import { printError } from './print-error.js';

/** The hooks `export` and `import` runs take from the CLI. */
export interface RunHooks {
  signal: AbortSignal;
  onStep: (message: string) => void;
  onWarning: (message: string) => void;
}

/**
 * Runs an export or an import for the command line: steps and warnings on stderr (steps hidden by
 * --quiet and --json, warnings by --quiet), Ctrl-C as a graceful stop, then the --json summary on
 * stdout or a one-line verdict on stderr, and the error if any. Returns the exit code.
 */
export async function reportRun<Summary>(
  raw: RawOptions,
  io: CliIO,
  spec: {
    interruptMessage: string;
    run: (hooks: RunHooks) => Promise<RunOutcome<Summary>>;
    verdict: (summary: Summary) => string;
  },
): Promise<number> {
  const quiet = raw.quiet === true || raw.json === true;
  const interrupt = interruptSignal(() => io.stderr.write(`\n${spec.interruptMessage}\n`));
  try {
    const outcome = await spec.run({
      signal: interrupt.signal,
      onStep: (message) => {
        if (!quiet) io.stderr.write(`${message}\n`);
      },
      onWarning: (message) => {
        if (raw.quiet !== true) io.stderr.write(`warning: ${message}\n`);
      },
    });
    const { summary, error } = outcome;
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!quiet && !error) io.stderr.write(`${spec.verdict(summary)}\n`);
    if (error) {
      printError(io, error, raw.verbose === true);
      return outcome.exitCode;
    }
    return 0;
  } finally {
    interrupt.dispose();
  }
}
