import {
  checkpointDeclarations,
  InvalidOptionError,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  positiveInteger,
  type RawOptions,
  READ_RATE_DECLARATION,
  resumeFlags,
  runExport,
  sideConfig,
  sideDeclarations,
  stringValue,
} from '../../index.js';
import type { CliIO } from '../io.js';
import { reportRun } from '../report-run.js';
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
  READ_RATE_DECLARATION,
  ...checkpointDeclarations({
    defaultPath: '.ddbcopy/export-TABLE-to-HASH.json',
    resume:
      'continue the export saved in the checkpoint (finished segments are kept, the others scanned again)',
    restart: 'start over although an unfinished checkpoint exists (its export is deleted)',
  }),
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
  return reportRun(raw, io, {
    interruptMessage:
      'Interrupted: finishing the files in flight and saving the checkpoint (Ctrl-C again to quit at once)...',
    run: (hooks) => runExport(options, hooks),
    verdict: (summary) =>
      `Exported ${summary.items.written} item(s) in ${summary.export.files} file(s) to ${summary.export.dir} in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.itemsPerSecond} items/s).`,
  });
}
