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
import { openOutput } from '../output/output.js';
import { reportEnd } from '../output/run-end.js';
import { createReporter } from '../render/reporter.js';
import { copyVerdict, humanPlan, humanSummary } from '../render/summary.js';
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
  if (options.viaExport) return copyViaExportCommand(options, raw, io);
  const output = openOutput(raw, io, 'copy');
  const err = output.io;
  const reporter = createReporter(output);
  const interrupt = interruptSignal(
    () =>
      err.stderr.write(
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
        err.stderr.write(`\nTo continue where it stopped: ${resumeCommand(argv)}\n`);
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
    // The bar ends its line before anything else is written.
    reporter.close();
    const { summary, plan, error } = outcome;
    if (raw.json) {
      const document = options.dryRun && plan ? { ...summary, plan } : summary;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (options.dryRun && plan && !error) {
      io.stdout.write(`${humanPlan(plan, summary)}\n`);
    }
    const aborted = error?.code === 'ABORTED';
    const dryRun = options.dryRun && !error;
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode: outcome.exitCode,
        verdict: dryRun ? 'Dry run: the plan is on stdout; nothing was changed.' : copyVerdict(summary),
        block: dryRun || aborted ? undefined : humanSummary(summary),
        // A failed copy that wrote items says how far it got; an interrupted one always does.
        blockOnError: summary.status !== 'failed' || summary.items.written > 0,
        error,
      },
      { json: raw.json === true },
    );
    if (error && summary.checkpoint && summary.status !== 'completed' && !aborted) {
      err.stderr.write(`To continue where it stopped: ${resumeCommand(argv)}\n`);
    }
    return error ? outcome.exitCode : 0;
  } finally {
    reporter.close();
    interrupt.dispose();
    output.close();
  }
}

/** `copy --via-export`: AWS's export and import jobs, their progress, and their own report. */
async function copyViaExportCommand(options: CopyOptions, raw: RawOptions, io: CliIO): Promise<number> {
  const output = openOutput(raw, io, 'copy');
  const interrupt = interruptSignal(() =>
    output.io.stderr.write("\nInterrupted: AWS's export or import job keeps running; see the hint below.\n"),
  );
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  try {
    const outcome = await runViaExport(options, {
      onEvent: createViaExportReporter(output),
      signal: interrupt.signal,
      ...(interactive ? { confirmDeletion: (question) => confirmDeletion(io, question) } : {}),
    });
    const { summary, plan, error } = outcome;
    if (raw.json) {
      const document = options.dryRun && plan ? { ...summary, plan } : summary;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else if (options.dryRun && plan && !error) {
      io.stdout.write(`${humanViaExportPlan(plan, summary)}\n`);
    }
    const dryRun = options.dryRun && !error;
    reportEnd(
      output,
      {
        status: summary.status,
        exitCode: outcome.exitCode,
        verdict: dryRun ? 'Dry run: the plan is on stdout; nothing was changed.' : copyVerdict(summary),
        block: dryRun ? undefined : humanViaExportSummary(summary),
        // Once the export began, the report says where its files are and what the jobs did.
        blockOnError: Boolean(summary.viaExport.export),
        error,
      },
      { json: raw.json === true },
    );
    return outcome.exitCode;
  } finally {
    interrupt.dispose();
    output.close();
  }
}
