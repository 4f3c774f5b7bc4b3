import { existsSync } from 'node:fs';
import { type RawOptions, runFollow, validateFollowOptions } from '../../index.js';
import { chooseResume } from '../confirm.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';
import { createReporter, type Verbosity } from '../render/reporter.js';
import { followSummaryLine } from '../render/summary.js';
import { resumeCommand } from './resume-command.js';

/** `ddbcopy follow`: apply the source's stream to a target copied before; returns the exit code. */
export async function followCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[] = [],
): Promise<number> {
  const options = validateFollowOptions(raw);
  const verbosity: Verbosity = raw.quiet ? 'quiet' : raw.verbose ? 'verbose' : 'normal';
  const reporter = createReporter(io.stderr, verbosity, { steps: ['connect', 'describe', 'follow'] });
  const interrupt = interruptSignal(
    () =>
      io.stderr.write('\nStopping: the changes applied so far are saved (Ctrl-C again to quit at once).\n'),
    () => {
      if (existsSync(options.checkpoint))
        io.stderr.write(`\nTo continue where it stopped: ${resumeCommand(argv)}\n`);
    },
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const { summary, error, exitCode } = await runFollow(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
      ...(interactive ? { chooseResume: (record) => chooseResume(io, options.checkpoint, record) } : {}),
    });
    reporter.close();
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (verbosity !== 'quiet' && summary.follow) {
      io.stderr.write(
        `Follow ${summary.status}: ${summary.source.table} -> ${summary.target.table}\n${followSummaryLine(summary.follow)}\n`,
      );
    }
    if (error) {
      printError(io, error, verbosity === 'verbose');
      if (summary.checkpoint && error.code !== 'ABORTED') {
        io.stderr.write(`To continue where it stopped: ${resumeCommand(argv)}\n`);
      }
    }
    return exitCode;
  } finally {
    reporter.close();
    interrupt.dispose();
  }
}
