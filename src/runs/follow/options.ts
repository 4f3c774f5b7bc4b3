import path from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import { ITEM_OPTION_DECLARATIONS, type ItemOptions, validateItemOptions } from '../copy/item-options.js';
import {
  BOTH_SIDES_DECLARATIONS,
  checkpointDeclarations,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  positiveInteger,
  type RateSpec,
  type RawOptions,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
  WRITE_RATE_DECLARATION,
} from '../copy/options.js';
import { defaultCheckpointPath } from '../shared/checkpoint.js';
import { FOLLOW_DECLARATIONS } from './follow-flags.js';

/** Validated options of `ddbcopy follow`: a target already copied, kept in step with the source. */
export interface FollowOptions extends ItemOptions {
  readonly source: Readonly<SideConfig>;
  readonly target: Readonly<SideConfig>;
  /** Where in the stream to begin: its oldest record (`trim-horizon`), or records created from this time. */
  readonly from: 'trim-horizon' | Date;
  readonly untilCaughtUp: boolean;
  readonly concurrency: number | undefined;
  readonly writeRate: RateSpec | undefined;
  readonly checkpoint: string;
  readonly resume: boolean;
  readonly restart: boolean;
}

/** Every flag of `ddbcopy follow`, declared once: the CLI registers these and validation reads them back. */
export const FOLLOW_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN, with a stream (required)' },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN, already copied (required)' },
  ...sideDeclarations('source'),
  ...sideDeclarations('target'),
  ...BOTH_SIDES_DECLARATIONS,
  {
    flag: 'from',
    value: 'TIME|trim-horizon',
    help: "apply the changes made from this time (ISO 8601, e.g. 2026-12-01T09:00:00Z) or from the stream's oldest record (24 hours back at most)",
    defaultHelp: 'trim-horizon',
  },
  FOLLOW_DECLARATIONS[1]!,
  { flag: 'concurrency', value: 'N', help: 'BatchWriteItem requests in flight', defaultHelp: '16' },
  WRITE_RATE_DECLARATION,
  ...checkpointDeclarations({
    defaultPath: '.ddbcopy/follow-SOURCE-to-TARGET-HASH.json',
    resume: 'continue the follow saved in the checkpoint, after the last change it applied',
    restart: 'start over from --from although a saved follow exists',
  }),
  // No filter: a stream record cannot be matched against a Scan filter (see followSettings).
  ...ITEM_OPTION_DECLARATIONS.filter(
    (declaration) => !declaration.flag.startsWith('expression-') && declaration.flag !== 'filter-expression',
  ),
  ...OUTPUT_DECLARATIONS,
];

export function validateFollowOptions(raw: RawOptions): FollowOptions {
  const source = sideConfig(raw, 'source');
  const target = sideConfig(raw, 'target');
  const { resume, restart } = resumeFlags(raw);
  const items = validateItemOptions(raw);
  const checkpoint =
    stringValue(raw.checkpoint) ??
    defaultCheckpointPath(
      path.resolve('.ddbcopy'),
      { source, target, names: [source.table, target.table] },
      'follow',
    );
  return Object.freeze({
    source: Object.freeze(source),
    target: Object.freeze(target),
    from: parseFrom(raw.from),
    untilCaughtUp: raw.untilCaughtUp === true,
    concurrency: positiveInteger(raw.concurrency, 'concurrency', 1024),
    writeRate: parseRate(raw.writeRate, 'write-rate'),
    checkpoint: path.resolve(checkpoint),
    resume,
    restart,
    ...items,
  });
}

/** `--from`: 'trim-horizon', or a time with a date and a zone (a time without one is ambiguous). */
function parseFrom(value: RawOptions[string]): 'trim-horizon' | Date {
  const text = stringValue(value);
  if (text === undefined || text.toLowerCase() === 'trim-horizon') return 'trim-horizon';
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const time = new Date(text);
  if (!zoned || Number.isNaN(time.getTime())) {
    throw new InvalidOptionError(
      `--from must be 'trim-horizon' or an ISO 8601 time with a zone, not '${text}'.`,
      {
        hint: 'For example --from 2026-12-01T09:00:00Z, or --from trim-horizon for every change the stream still holds (24 hours).',
      },
    );
  }
  if (Date.now() - time.getTime() > 24 * 3_600_000) {
    throw new InvalidOptionError(
      `--from ${text} is more than 24 hours ago: the stream keeps changes for 24 hours only.`,
      {
        hint: 'Changes older than that are gone from the stream: copy the table again (ddbcopy copy --follow) instead.',
      },
    );
  }
  if (time.getTime() > Date.now()) {
    throw new InvalidOptionError(`--from ${text} is in the future.`, {
      hint: 'Give the time the target was copied at (or before), so no change after it is missed.',
    });
  }
  return time;
}
