/**
 * Every flag of `export`, declared once, and their validation into ExportOptions: the command line and
 * a set of tables (`export --tables`, each table validated like a one-table export) share it.
 */
import { InvalidOptionError } from '../../errors.js';
import { ITEM_OPTION_DECLARATIONS, validateItemOptions } from '../copy/item-options.js';
import {
  BOTH_SIDES_DECLARATIONS,
  checkpointDeclarations,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  positiveInteger,
  type RawOptions,
  READ_RATE_DECLARATION,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
} from '../copy/options.js';
import { s3Declarations, s3Settings } from '../shared/s3-options.js';
import type { ExportOptions } from './run-export.js';

/** Every flag of `export`. */
export const EXPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN (required)' },
  {
    flag: 'out',
    value: 'DIR|s3://BUCKET/PREFIX',
    help: 'directory or S3 location the export is written under, as DIR/AWSDynamoDB/<id>/ (required); with --tables, one folder per table: DIR/<table>/',
  },
  ...sideDeclarations('source'),
  ...BOTH_SIDES_DECLARATIONS,
  ...s3Declarations('source'),
  { flag: 'segments', value: 'N', help: 'parallel scan segments', defaultHelp: 'chosen from the table size' },
  { flag: 'consistent-read', help: 'strongly consistent scan (costs twice the read capacity)' },
  READ_RATE_DECLARATION,
  ...ITEM_OPTION_DECLARATIONS,
  ...checkpointDeclarations({
    defaultPath: '.ddbcopy/export-TABLE-to-HASH.json',
    resume:
      'continue the export saved in the checkpoint (finished segments are kept, the others scanned again)',
    restart: 'start over although an unfinished checkpoint exists (its export is deleted)',
  }),
  ...OUTPUT_DECLARATIONS,
];

/** Turns raw flag values into ExportOptions, or throws InvalidOptionError naming the flag and the fix. */
export function validateExportOptions(raw: RawOptions): ExportOptions {
  const out = requiredLocation(raw, 'out');
  return Object.freeze({
    source: Object.freeze(sideConfig(raw, 'source')),
    out,
    s3: s3Settings(raw, out, 'out'),
    segments: positiveInteger(raw.segments, 'segments', 1_000_000),
    consistentRead: raw.consistentRead === true,
    readRate: parseRate(raw.readRate, 'read-rate'),
    checkpoint: stringValue(raw.checkpoint),
    ...resumeFlags(raw),
    ...validateItemOptions(raw),
  });
}

/** `--out` (export) or `--from` (import): required, as given. */
export function requiredLocation(raw: RawOptions, flag: 'out' | 'from'): string {
  const location = stringValue(raw[flag]);
  if (!location) {
    throw new InvalidOptionError(`--${flag} is required.`, {
      hint:
        flag === 'out'
          ? 'Name the directory or S3 location to export into: --out DIR or --out s3://bucket/prefix.'
          : 'Name the export: --from DIR or --from s3://bucket/prefix.',
    });
  }
  return location;
}
