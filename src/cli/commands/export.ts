import { runExport } from '../../core/export-table.js';
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
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';

/** Every flag of `export`. */
export const EXPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN (required)' },
  {
    flag: 'out',
    value: 'DIR',
    help: 'directory the export is written under, as DIR/AWSDynamoDB/<id>/ (required)',
  },
  ...sideDeclarations('source'),
  { flag: 'segments', value: 'N', help: 'parallel scan segments', defaultHelp: 'chosen from the table size' },
  { flag: 'consistent-read', help: 'strongly consistent scan (costs twice the read capacity)' },
  ...OUTPUT_DECLARATIONS,
];

/** `ddbcopy export`: validate flags, export the table into a directory, report; returns the exit code. */
export async function exportCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const out = stringValue(raw.out);
  if (!out) {
    throw new InvalidOptionError('--out is required.', {
      hint: 'Name the directory to export into: --out DIR.',
    });
  }
  if (/^s3:\/\//i.test(out)) {
    throw new InvalidOptionError('--out s3://... is not supported yet; export to a local directory.');
  }
  const options = {
    source: sideConfig(raw, 'source'),
    out,
    segments: positiveInteger(raw.segments, 'segments', 1_000_000),
    consistentRead: raw.consistentRead === true,
  };
  const quiet = raw.quiet === true || raw.json === true;
  const interrupt = interruptSignal(() => io.stderr.write('\nInterrupted: stopping the export...\n'));
  try {
    const outcome = await runExport(options, {
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
    else if (!quiet && !error) {
      io.stderr.write(
        `Exported ${summary.items.written} item(s) in ${summary.export.files} file(s) to ${summary.export.dir} in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.itemsPerSecond} items/s).\n`,
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
