/**
 * Every flag of `import`, declared once, and their validation into ImportOptions: the command line and
 * a set of tables (`import --from DIR --tables ...`, each table validated like a one-table import)
 * share it.
 */

import { parseKeySpec } from '../../model/key-spec.js';
import { ITEM_OPTION_DECLARATIONS, validateItemOptions } from '../copy/item-options.js';
import {
  BOTH_SIDES_DECLARATIONS,
  checkpointDeclarations,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  positiveInteger,
  type RawOptions,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
  WRITE_RATE_DECLARATION,
  YES_DECLARATION,
} from '../copy/options.js';
import { requiredLocation } from '../export/options.js';
import { s3Declarations, s3Settings } from '../shared/s3-options.js';
import type { ImportOptions } from './run-import.js';

/** Every flag of `import`. */
export const IMPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'from',
    value: 'DIR|s3://BUCKET/PREFIX',
    help: 'export directory or S3 location (from ddbcopy export or AWS) (required); with --tables or --rename, a folder of exports, one per table (as export --tables writes)',
  },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN (required)' },
  ...sideDeclarations('target'),
  ...BOTH_SIDES_DECLARATIONS,
  ...s3Declarations('target'),
  YES_DECLARATION,
  {
    flag: 'key',
    value: 'NAME:TYPE[,NAME:TYPE]',
    help: "the table's key when the export has no table definition (AWS's own exports), e.g. pk:S,sk:N",
  },
  { flag: 'concurrency', value: 'N', help: 'BatchWriteItem requests in flight', defaultHelp: '16' },
  WRITE_RATE_DECLARATION,
  ...checkpointDeclarations({
    defaultPath: '.ddbcopy/import-EXPORT-to-TARGET-HASH.json',
    resume: 'continue the import saved in the checkpoint (the target is not recreated)',
  }),
  // An export's files are read, not scanned: masks and a transform apply while loading, a filter does not.
  ...ITEM_OPTION_DECLARATIONS.filter((d) => !d.flag.startsWith('filter') && !d.flag.startsWith('expression')),
  ...OUTPUT_DECLARATIONS,
];

/** Turns raw flag values into ImportOptions, or throws InvalidOptionError naming the flag and the fix. */
export function validateImportOptions(raw: RawOptions): ImportOptions {
  const from = requiredLocation(raw, 'from');
  return Object.freeze({
    from,
    s3: s3Settings(raw, from, 'from'),
    target: Object.freeze(sideConfig(raw, 'target')),
    yes: raw.yes === true,
    concurrency: positiveInteger(raw.concurrency, 'concurrency', 1024),
    writeRate: parseRate(raw.writeRate, 'write-rate'),
    key: parseKeySpec(raw.key),
    checkpoint: stringValue(raw.checkpoint),
    ...resumeFlags(raw),
    ...validateItemOptions(raw),
  });
}
