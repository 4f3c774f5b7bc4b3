import { EXIT, type RawOptions, runVerify, validateVerifyOptions } from '../../index.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';
import type { Verbosity } from '../render/reporter.js';
import { createVerifyReporter } from '../render/verify-reporter.js';
import { humanVerifySummary, verdict } from '../render/verify-summary.js';

/** `ddbcopy verify`: validate flags, compare the tables, render the result; 0 identical, 1 different. */
export async function verifyCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const options = validateVerifyOptions(raw);
  const verbosity: Verbosity = raw.quiet ? 'quiet' : raw.verbose ? 'verbose' : 'normal';
  const reporter = createVerifyReporter(io.stderr, verbosity);
  const interrupt = interruptSignal(() =>
    io.stderr.write('\nInterrupted: stopping the scans (Ctrl-C again to quit at once)...\n'),
  );
  try {
    const { summary, error } = await runVerify(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
    });
    reporter.close();
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (error) {
      printError(io, error, verbosity === 'verbose');
      return error.exitCode;
    }
    if (!raw.json) {
      io.stderr.write(`${verbosity === 'quiet' ? verdict(summary) : humanVerifySummary(summary)}\n`);
    }
    return summary.status === 'identical' ? EXIT.ok : EXIT.failed;
  } finally {
    reporter.close();
    interrupt.dispose();
  }
}
