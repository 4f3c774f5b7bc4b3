import { runImport } from '../../core/import-table.js';
import { InvalidOptionError } from '../../errors.js';
import {
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  positiveInteger,
  type RawOptions,
  sideConfig,
  sideDeclarations,
  stringValue,
} from '../../options.js';
import { confirmDeletion } from '../confirm.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';

/** Every flag of `import`. */
export const IMPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'from',
    value: 'DIR',
    help: 'export directory (from ddbcopy export or AWS, downloaded) (required)',
  },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN (required)' },
  ...sideDeclarations('target'),
  { flag: 'yes', help: 'confirm deletion of an existing target without a prompt (for scripts)' },
  { flag: 'concurrency', value: 'N', help: 'BatchWriteItem requests in flight', defaultHelp: '16' },
  ...OUTPUT_DECLARATIONS,
];

/** `ddbcopy import`: validate flags, import the export into the target, report; returns the exit code. */
export async function importCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const from = stringValue(raw.from);
  if (!from) {
    throw new InvalidOptionError('--from is required.', { hint: 'Name the export directory: --from DIR.' });
  }
  if (/^s3:\/\//i.test(from)) {
    throw new InvalidOptionError('--from s3://... is not supported yet; download the export first.');
  }
  const options = {
    from,
    target: sideConfig(raw, 'target'),
    yes: raw.yes === true,
    concurrency: positiveInteger(raw.concurrency, 'concurrency', 1024),
  };
  const quiet = raw.quiet === true || raw.json === true;
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  const interrupt = interruptSignal(() =>
    io.stderr.write('\nInterrupted: finishing the batches in flight (Ctrl-C again to quit at once)...\n'),
  );
  try {
    const outcome = await runImport(options, {
      signal: interrupt.signal,
      onStep: (message) => {
        if (!quiet) io.stderr.write(`${message}\n`);
      },
      onWarning: (message) => {
        if (raw.quiet !== true) io.stderr.write(`warning: ${message}\n`);
      },
      ...(interactive ? { confirmDeletion: (question) => confirmDeletion(io, question) } : {}),
    });
    const { summary, error } = outcome;
    if (raw.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!quiet && !error) {
      io.stderr.write(
        `Imported ${summary.items.written} item(s) into '${summary.target.table}' in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.itemsPerSecond} items/s).\n`,
      );
    }
    if (error) {
      printError(io, error, raw.verbose === true);
      return outcome.exitCode;
    }
    return 0;
  } finally {
    interrupt.dispose();
  }
}
