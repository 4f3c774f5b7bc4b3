import { existsSync } from 'node:fs';
import { type RawOptions, runFollow, validateFollowOptions } from '../../index.js';
import { chooseResume } from '../confirm.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { openOutput } from '../output/output.js';
import { reportEnd } from '../output/run-end.js';
import { createReporter } from '../render/reporter.js';
import { followSummaryLine, followVerdict } from '../render/summary.js';
import { resumeCommand } from './resume-command.js';

/** `ddbcopy follow`: apply the source's stream to a target copied before; returns the exit code. */
export async function followCommand(
  raw: RawOptions,
  io: CliIO,
  argv: readonly string[] = [],
): Promise<number> {
  const options = validateFollowOptions(raw);
  const output = openOutput(raw, io, 'follow');
  const reporter = createReporter(output);
  const interrupt = interruptSignal(
    () =>
      output.io.stderr.write(
        '\nStopping: the changes applied so far are saved (Ctrl-C again to quit at once).\n',
      ),
    () => {
      if (existsSync(options.checkpoint))
        output.io.stderr.write(`\nTo continue where it stopped: ${resumeCommand(argv)}\n`);
    },
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const { summary, error, exitCode } = await runFollow(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
      ...(interactive ? { chooseResume: (record) => chooseResume(io, options.checkpoint, record) } : {}),
    });
    // The progress line ends before anything else is written.
    reporter.close();
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode,
        verdict: followVerdict(summary),
        block: summary.follow
          ? `Follow ${summary.status}: ${summary.source.table} -> ${summary.target.table}\n${followSummaryLine(summary.follow)}`
          : undefined,
        // Stopped with Ctrl-C, or failed after applying changes: say where it ended.
        blockOnError: summary.follow !== undefined,
        error,
      },
      { json: raw.json === true },
    );
    if (error && summary.checkpoint && error.code !== 'ABORTED') {
      output.io.stderr.write(`To continue where it stopped: ${resumeCommand(argv)}\n`);
    }
    return exitCode;
  } finally {
    reporter.close();
    interrupt.dispose();
    output.close();
  }
}
