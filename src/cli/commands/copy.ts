import { existsSync } from 'node:fs';
import {
  type CopyOptions,
  isTableSet,
  type RawOptions,
  refuseSetFlags,
  runCopy,
  runViaExport,
  validateCopyOptions,
} from '../../index.js';
import { chooseResume, confirmDeletion } from '../confirm.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';
import { createReporter, type Verbosity } from '../render/reporter.js';
import { humanPlan, humanSummary } from '../render/summary.js';
import {
  createViaExportReporter,
  humanViaExportPlan,
  humanViaExportSummary,
} from '../render/via-export-report.js';
import { copyTablesCommand } from './copy-tables.js';
import { resumeCommand } from './resume-command.js';

/** `ddbcopy copy`: validate flags, run the copy, render its outcome; returns the exit code. */
export async function copyCommand(raw: RawOptions, io: CliIO, argv: readonly string[] = []): Promise<number> {
  if (isTableSet(raw)) return copyTablesCommand(raw, io, argv);
  refuseSetFlags(raw);
  const options = validateCopyOptions(raw);
  const verbosity: Verbosity = raw.quiet ? 'quiet' : raw.verbose ? 'verbose' : 'normal';
  if (options.viaExport) return copyViaExportCommand(options, raw, io, verbosity);
  const reporter = createReporter(io.stderr, verbosity, {
    prune: options.prune === true,
    follow: options.follow !== undefined,
    verify: options.verify,
  });
  const interrupt = interruptSignal(
    () =>
      io.stderr.write(
        '\nInterrupted: stopping; requests already sent finish, progress is saved (Ctrl-C again to quit at once).\n',
      ),
    // Quitting at once still says how to go on: the record holds what was acknowledged until now.
    () => {
      if (raw.json) {
        io.stdout.write(
          `${JSON.stringify({ command: 'copy', status: 'interrupted', checkpoint: options.checkpoint }, null, 2)}\n`,
        );
      }
      if (existsSync(options.checkpoint))
        io.stderr.write(`\nTo continue where it stopped: ${resumeCommand(argv)}\n`);
    },
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const outcome = await runCopy(options, {
      onEvent: reporter.onEvent,
      signal: interrupt.signal,
      ...(interactive
        ? {
            confirmDeletion: (question) => confirmDeletion(io, question),
            chooseResume: (record) => chooseResume(io, options.checkpoint, record),
          }
        : {}),
    });
    reporter.close();
    const { summary, plan, error } = outcome;
    if (raw.json) {
      const document = options.dryRun && plan ? { ...summary, plan } : summary;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (options.dryRun && plan && !error) {
      io.stdout.write(`${humanPlan(plan, summary)}\n`);
    }
    const aborted = error?.code === 'ABORTED';
    if (
      !raw.json &&
      verbosity !== 'quiet' &&
      !(options.dryRun && !error) &&
      summary.status !== 'failed' &&
      !aborted
    ) {
      io.stderr.write(`${humanSummary(summary)}\n`);
    }
    if (error) {
      if (summary.status === 'failed' && !raw.json && verbosity !== 'quiet' && summary.items.written > 0) {
        io.stderr.write(`${humanSummary(summary)}\n`);
      }
      printError(io, error, verbosity === 'verbose');
      if (summary.checkpoint && summary.status !== 'completed' && !aborted) {
        io.stderr.write(`To continue where it stopped: ${resumeCommand(argv)}\n`);
      }
      return outcome.exitCode;
    }
    return 0;
  } finally {
    reporter.close();
    interrupt.dispose();
  }
}

/** `copy --via-export`: AWS's export and import jobs, their progress, and their own report. */
async function copyViaExportCommand(
  options: CopyOptions,
  raw: RawOptions,
  io: CliIO,
  verbosity: Verbosity,
): Promise<number> {
  const interrupt = interruptSignal(() =>
    io.stderr.write("\nInterrupted: AWS's export or import job keeps running; see the hint below.\n"),
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const outcome = await runViaExport(options, {
      onEvent: createViaExportReporter(io.stderr, verbosity),
      signal: interrupt.signal,
      ...(interactive ? { confirmDeletion: (question) => confirmDeletion(io, question) } : {}),
    });
    const { summary, plan, error } = outcome;
    if (raw.json) {
      const document = options.dryRun && plan ? { ...summary, plan } : summary;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (options.dryRun && plan && !error) {
      io.stdout.write(`${humanViaExportPlan(plan, summary)}\n`);
    } else if (verbosity !== 'quiet' && (!error || summary.viaExport.export)) {
      io.stderr.write(`${humanViaExportSummary(summary)}\n`);
    }
    if (error) printError(io, error, verbosity === 'verbose');
    return outcome.exitCode;
  } finally {
    interrupt.dispose();
  }
}
