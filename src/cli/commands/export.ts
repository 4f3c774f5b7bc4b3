import { runExport } from '../../core/export-table.js';
import { InvalidOptionError } from '../../errors.js';
import {
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  positiveInteger,
  type RawOptions,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
} from '../../options.js';
import { interruptSignal } from '../interrupt.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';
import { s3Declarations, s3Settings } from './s3-options.js';

/** Every flag of `export`. */
export const EXPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN (required)' },
  {
    flag: 'out',
    value: 'DIR|s3://BUCKET/PREFIX',
    help: 'directory or S3 location the export is written under, as DIR/AWSDynamoDB/<id>/ (required)',
  },
  ...sideDeclarations('source'),
  ...s3Declarations('source'),
  { flag: 'segments', value: 'N', help: 'parallel scan segments', defaultHelp: 'chosen from the table size' },
  { flag: 'consistent-read', help: 'strongly consistent scan (costs twice the read capacity)' },
  {
    flag: 'read-rate',
    value: 'N|P%',
    help: 'cap on source read capacity units per second, or % of its capacity',
  },
  {
    flag: 'checkpoint',
    value: 'FILE',
    help: 'where progress is saved',
    defaultHelp: '.ddbcopy/export-TABLE-to-HASH.json',
  },
  {
    flag: 'resume',
    help: 'continue the export saved in the checkpoint (finished segments are kept, the others scanned again)',
  },
  { flag: 'restart', help: 'start over although an unfinished checkpoint exists (its export is deleted)' },
  ...OUTPUT_DECLARATIONS,
];

/** `ddbcopy export`: validate flags, export the table into a directory, report; returns the exit code. */
export async function exportCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const out = stringValue(raw.out);
  if (!out) {
    throw new InvalidOptionError('--out is required.', {
      hint: 'Name the directory or S3 location to export into: --out DIR or --out s3://bucket/prefix.',
    });
  }
  const options = {
    source: sideConfig(raw, 'source'),
    out,
    s3: s3Settings(raw, out, 'out'),
    segments: positiveInteger(raw.segments, 'segments', 1_000_000),
    consistentRead: raw.consistentRead === true,
    readRate: parseRate(raw.readRate, 'read-rate'),
    checkpoint: stringValue(raw.checkpoint),
    ...resumeFlags(raw),
  };
  const quiet = raw.quiet === true || raw.json === true;
  const interrupt = interruptSignal(() =>
    io.stderr.write(
      '\nInterrupted: finishing the files in flight and saving the checkpoint (Ctrl-C again to quit at once)...\n',
    ),
  );
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
