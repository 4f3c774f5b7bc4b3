import {
  checkpointDeclarations,
  InvalidOptionError,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseKeySpec,
  parseRate,
  positiveInteger,
  type RawOptions,
  resumeFlags,
  runImport,
  sideConfig,
  sideDeclarations,
  stringValue,
  WRITE_RATE_DECLARATION,
} from '../../index.js';
import { confirmDeletion } from '../confirm.js';
import type { CliIO } from '../io.js';
import { reportRun } from '../report-run.js';
import { s3Declarations, s3Settings } from './s3-options.js';

/** Every flag of `import`. */
export const IMPORT_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'from',
    value: 'DIR|s3://BUCKET/PREFIX',
    help: 'export directory or S3 location (from ddbcopy export or AWS) (required)',
  },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN (required)' },
  ...sideDeclarations('target'),
  ...s3Declarations('target'),
  { flag: 'yes', help: 'confirm deletion of an existing target without a prompt (for scripts)' },
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
  ...OUTPUT_DECLARATIONS,
];

/** `ddbcopy import`: validate flags, import the export into the target, report; returns the exit code. */
export async function importCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const from = stringValue(raw.from);
  if (!from) {
    throw new InvalidOptionError('--from is required.', {
      hint: 'Name the export: --from DIR or --from s3://bucket/prefix.',
    });
  }
  const options = {
    from,
    s3: s3Settings(raw, from, 'from'),
    target: sideConfig(raw, 'target'),
    yes: raw.yes === true,
    concurrency: positiveInteger(raw.concurrency, 'concurrency', 1024),
    writeRate: parseRate(raw.writeRate, 'write-rate'),
    key: parseKeySpec(raw.key),
    checkpoint: stringValue(raw.checkpoint),
    ...resumeFlags(raw),
  };
  const interactive = io.stdin.isTTY === true && io.stderr.isTTY === true;
  return reportRun(raw, io, {
    interruptMessage:
      'Interrupted: finishing the batches in flight and saving the checkpoint (Ctrl-C again to quit at once)...',
    run: (hooks) =>
      runImport(options, {
        ...hooks,
        ...(interactive ? { confirmDeletion: (question) => confirmDeletion(io, question) } : {}),
      }),
    verdict: (summary) =>
      `Imported ${summary.items.written} item(s) into '${summary.target.table}' in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.itemsPerSecond} items/s)${summary.checkpoint.resumed ? `, resuming ${summary.items.writtenBefore} written before` : ''}.`,
  });
}
