import path from 'node:path';
import { InvalidOptionError, type Side } from '../../errors.js';
import { closestRegion, looksLikeRegion } from '../../model/regions.js';
import type { SideConfig } from '../../model/side-config.js';
import { ACCOUNT_ID } from '../../model/side-identity.js';
import type { BillingMode, CopyMode, RateSpec, S3Location } from '../../plan/option-values.js';
import { SKIPPABLE_SETTINGS, type SkippableSetting } from '../../plan/translate-schema.js';
import { FOLLOW_DECLARATIONS, type FollowSettings, followSettings } from '../follow/follow-flags.js';
import { defaultCheckpointPath } from '../shared/checkpoint.js';
import { ITEM_OPTION_DECLARATIONS, type ItemOptions, validateItemOptions } from './item-options.js';

// The option values the planners read are declared with them (plan/ imports nothing of runs/).
export type { BillingMode, CopyMode, RateSpec, S3Location } from '../../plan/option-values.js';

/** Validated, frozen options of a copy: what the library's copyTable takes. */
export interface CopyOptions extends ItemOptions {
  readonly source: Readonly<SideConfig>;
  readonly target: Readonly<SideConfig>;
  readonly mode: CopyMode;
  /** Delete an existing target without asking. */
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly segments: number | undefined;
  readonly concurrency: number | undefined;
  readonly readRate: RateSpec | undefined;
  readonly writeRate: RateSpec | undefined;
  readonly consistentRead: boolean;
  readonly billingMode: BillingMode | undefined;
  readonly readCapacity: number | undefined;
  readonly writeCapacity: number | undefined;
  readonly sseKmsKeyId: string | undefined;
  readonly skip: ReadonlySet<SkippableSetting>;
  /** The run record's file (default: under .ddbcopy/ in the working directory, one per table pair). */
  readonly checkpoint: string;
  /** Continue the copy recorded in the checkpoint: the target is not recreated. */
  readonly resume: boolean;
  /** Start over even though an unfinished checkpoint exists (it is replaced). */
  readonly restart: boolean;
  /** Compare target and source item by item once the copy is done. */
  readonly verify: boolean;
  /** Threads copying items; undefined: chosen from the table size and the cores. */
  readonly workers: number | undefined;
  /** --via-export: AWS's ExportTableToPointInTime to this S3 location, then ImportTable (runs/via-export/). */
  readonly viaExport?: S3Location | undefined;
  /** --drop-lsi: with --via-export, create the target without the source's local secondary indexes. */
  readonly dropLsi?: boolean | undefined;
  /** --s3-bucket-owner: the account owning the --via-export bucket, when it is not the caller's. */
  readonly s3BucketOwner?: string | undefined;
  /** --follow: after the copy, apply the source's stream to the target (runs/follow/). */
  readonly follow?: FollowSettings | undefined;
  /** --prune (with --data-only): after the copy, delete the target's items whose key the source lacks. */
  readonly prune?: boolean | undefined;
}

/** One declared flag: its name, its help text, and how its value is parsed and checked. */
export interface OptionDeclaration {
  /** Long flag without dashes, e.g. 'source-profile'. */
  flag: string;
  /** Placeholder for the value; absent for a boolean switch. */
  value?: string;
  help: string;
  /** Default as shown in help (the real default is applied in validation). */
  defaultHelp?: string;
  /** May be given more than once; the values arrive as an array. */
  repeatable?: boolean;
  /** A one-letter alias, e.g. 'y' for -y. */
  short?: string;
  /** The only values the flag takes, when they are a closed list (offered by shell completion). */
  choices?: readonly string[];
}

export const YES_DECLARATION: OptionDeclaration = {
  flag: 'yes',
  short: 'y',
  help: 'confirm deletion of an existing target without a prompt (for scripts)',
};

/** `--read-rate`, shared by the commands that scan a source (copy, export, verify). */
export const READ_RATE_DECLARATION: OptionDeclaration = {
  flag: 'read-rate',
  value: 'N|P%',
  help: 'cap on source read capacity units per second, or % of its capacity',
};

/** `--write-rate`, shared by the commands that write a target (copy, import, follow). */
export const WRITE_RATE_DECLARATION: OptionDeclaration = {
  flag: 'write-rate',
  value: 'N|P%',
  help: 'cap on target write capacity units per second, or % of its capacity',
};

/** --checkpoint, --resume and --restart, worded for the command that takes them. */
export function checkpointDeclarations(words: {
  defaultPath: string;
  resume: string;
  restart?: string;
}): OptionDeclaration[] {
  return [
    { flag: 'checkpoint', value: 'FILE', help: 'where progress is saved', defaultHelp: words.defaultPath },
    { flag: 'resume', help: words.resume },
    { flag: 'restart', help: words.restart ?? 'start over although an unfinished checkpoint exists' },
  ];
}

/** The connection flags of one side (`--source-profile`, `--target-region`, ...), worded for it. */
export function sideDeclarations(side: Side): OptionDeclaration[] {
  return [
    {
      flag: `${side}-profile`,
      value: 'NAME',
      help: `named profile for the ${side} side (SSO, role_arn, credential_process work)`,
    },
    { flag: `${side}-region`, value: 'REGION', help: `region of the ${side} table` },
    {
      flag: `${side}-role-arn`,
      value: 'ARN',
      help: `role to assume for the ${side} side (credentials refresh themselves)`,
    },
    { flag: `${side}-external-id`, value: 'ID', help: `external ID for the ${side} side's AssumeRole` },
    {
      flag: `${side}-endpoint-url`,
      value: 'URL',
      help: `DynamoDB endpoint of the ${side} side (DynamoDB Local, VPC endpoint)`,
    },
    {
      flag: `expect-${side}-account`,
      value: 'ID',
      help: `refuse to run unless the ${side} credentials belong to this 12-digit account (checked with STS before anything is touched)`,
    },
  ];
}

/**
 * The AWS CLI's own flags, for both sides at once: `--profile prod` is `--source-profile prod
 * --target-profile prod`; a side's flag wins over them.
 */
export const BOTH_SIDES_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'profile', value: 'NAME', help: 'named profile for both sides (a --source-/--target- flag wins)' },
  { flag: 'region', value: 'REGION', help: 'region of both sides (a --source-/--target- flag wins)' },
  {
    flag: 'endpoint-url',
    value: 'URL',
    help: 'DynamoDB endpoint of both sides (a --source-/--target- flag wins)',
  },
];

/** How progress shows on stderr (`--progress`): auto is a bar on a terminal, lines otherwise. */
export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'json', 'none'] as const;

/** How every command reports: --json on stdout, progress, --quiet / --verbose on stderr, a log file. */
export const OUTPUT_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'json', help: 'print the result as one JSON document on stdout (human output stays on stderr)' },
  {
    flag: 'progress',
    value: 'MODE',
    choices: PROGRESS_MODES,
    help: "progress on stderr: 'bar' (lines when stderr is not a terminal), 'lines' (timestamped, only when something changed), 'json' (one JSON event per line, for CI and wrappers) or 'none'",
    defaultHelp: "'auto': a bar on a terminal, lines otherwise ('none' with --quiet)",
  },
  {
    flag: 'log-file',
    value: 'FILE',
    help: 'also append timestamped lines (steps, warnings, progress, the verdict, errors) to FILE',
  },
  { flag: 'quiet', help: 'only errors, warnings and the one-line verdict on stderr' },
  { flag: 'verbose', help: 'more detail on stderr' },
];

/** Every flag of `copy`, declared once: the CLI registers these and validation reads them back. */
export const COPY_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN (required)' },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN (required)' },
  ...sideDeclarations('source'),
  ...sideDeclarations('target'),
  ...BOTH_SIDES_DECLARATIONS,
  {
    flag: 'data-only',
    help: 'copy items into the existing target; leave its schema alone (key schemas must match)',
  },
  { flag: 'schema-only', help: 'recreate the target from the source; copy no items' },
  {
    flag: 'prune',
    help: "with --data-only: after the copy, delete the target's items whose key the source does not have (never touches the source)",
  },
  YES_DECLARATION,
  { flag: 'dry-run', help: 'print the plan and change nothing' },
  { flag: 'segments', value: 'N', help: 'parallel scan segments', defaultHelp: 'chosen from the table size' },
  { flag: 'concurrency', value: 'N', help: 'BatchWriteItem requests in flight', defaultHelp: '16' },
  READ_RATE_DECLARATION,
  WRITE_RATE_DECLARATION,
  {
    flag: 'workers',
    value: 'N',
    help: 'threads copying items, each with its own connections (for big tables on many cores)',
    defaultHelp: '1',
  },
  { flag: 'consistent-read', help: 'strongly consistent scan (costs twice the read capacity)' },
  {
    flag: 'billing-mode',
    value: 'MODE',
    choices: ['on-demand', 'provisioned'],
    help: "target billing: 'on-demand' or 'provisioned'",
    defaultHelp: "the source's",
  },
  { flag: 'read-capacity', value: 'N', help: 'target (and GSI) read capacity units, provisioned mode' },
  { flag: 'write-capacity', value: 'N', help: 'target (and GSI) write capacity units, provisioned mode' },
  {
    flag: 'sse-kms-key-id',
    value: 'KEY',
    help: "target's KMS key (a source account's key is not valid in the target)",
  },
  { flag: 'skip', value: 'LIST', help: `settings not to copy: ${SKIPPABLE_SETTINGS.join(',')}` },
  ...checkpointDeclarations({
    defaultPath: '.ddbcopy/copy-SOURCE-to-TARGET-HASH.json',
    resume: 'continue the copy saved in the checkpoint (the target is not recreated)',
  }),
  {
    flag: 'verify',
    help: 'after the copy, compare the target with the source item by item (exit 1 on a difference)',
  },
  ...FOLLOW_DECLARATIONS,
  ...ITEM_OPTION_DECLARATIONS,
  {
    flag: 'via-export',
    value: 'S3URL',
    help: "move the items with AWS's own ExportTableToPointInTime and ImportTable through s3://bucket/prefix (big tables; needs PITR on the source)",
  },
  {
    flag: 'drop-lsi',
    help: "with --via-export: create the target without the source's local secondary indexes (ImportTable cannot create them)",
  },
  {
    flag: 's3-bucket-owner',
    value: 'ACCOUNT',
    help: 'with --via-export: the 12-digit account id owning the bucket, when another account owns it',
  },
  ...OUTPUT_DECLARATIONS,
];

/** The parsed command line as commander gives it: camelCase keys, strings and booleans. */
export type RawOptions = Record<string, RawValue>;

/** One flag's parsed value: a string, a switch, or the values of a repeatable flag. */
export type RawValue = string | boolean | readonly string[] | undefined;

/** Turns raw flag values into CopyOptions, or throws InvalidOptionError naming the flag and the fix. */
export function validateCopyOptions(raw: RawOptions, purpose: 'run' | 'policy' = 'run'): CopyOptions {
  const source = sideConfig(raw, 'source');
  const target = sideConfig(raw, 'target');
  if (raw.dataOnly && raw.schemaOnly) {
    throw new InvalidOptionError('--data-only and --schema-only cannot be used together.', {
      hint: 'Use --data-only to copy items into an existing table, --schema-only to recreate it empty.',
    });
  }
  const mode: CopyMode = raw.dataOnly ? 'data-only' : raw.schemaOnly ? 'schema-only' : 'recreate';
  const billingMode = parseBillingMode(raw.billingMode);
  const readCapacity = positiveInteger(raw.readCapacity, 'read-capacity');
  const writeCapacity = positiveInteger(raw.writeCapacity, 'write-capacity');
  if (mode === 'data-only' && (billingMode || readCapacity || writeCapacity || raw.sseKmsKeyId)) {
    throw new InvalidOptionError(
      '--billing-mode, --read-capacity, --write-capacity and --sse-kms-key-id shape a new target; --data-only keeps the existing one.',
      { hint: 'Drop those flags, or drop --data-only to recreate the target.' },
    );
  }
  pruneFlag(raw, mode);
  resumeFlags(raw);
  if (raw.resume && mode === 'schema-only') {
    throw new InvalidOptionError('--resume continues copying items; --schema-only copies none.');
  }
  const follow = followSettings(raw);
  const viaExport = viaExportOptions(raw);
  // `iam-policy` prints what masks need without masking anything: it needs no secret.
  const items = validateItemOptions(raw, process.env, purpose);
  const checkpoint =
    stringValue(raw.checkpoint) ??
    defaultCheckpointPath(path.resolve('.ddbcopy'), { source, target, names: [source.table, target.table] });
  return Object.freeze({
    source: Object.freeze(source),
    target: Object.freeze(target),
    mode,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    segments: positiveInteger(raw.segments, 'segments', 1_000_000),
    concurrency: positiveInteger(raw.concurrency, 'concurrency', 1024),
    readRate: parseRate(raw.readRate, 'read-rate'),
    writeRate: parseRate(raw.writeRate, 'write-rate'),
    consistentRead: raw.consistentRead === true,
    billingMode,
    readCapacity,
    writeCapacity,
    sseKmsKeyId: stringValue(raw.sseKmsKeyId),
    skip: parseSkip(raw.skip),
    checkpoint: path.resolve(checkpoint),
    resume: raw.resume === true,
    restart: raw.restart === true,
    verify: raw.verify === true,
    workers: positiveInteger(raw.workers, 'workers', 64),
    ...(raw.prune === true ? { prune: true } : {}),
    ...viaExport,
    ...items,
    ...(follow ? { follow } : {}),
  });
}

/**
 * `--prune` deletes what the target holds beyond the source's keys, so it is refused wherever the
 * target's keys are not exactly the source's: a recreated target (nothing to prune), a filter (the
 * items it leaves out would be deleted), a transform (keys may change; masks on key attributes are
 * refused once the key schema is known), AWS's export jobs, and --follow (which applies the deletes).
 */
function pruneFlag(raw: RawOptions, mode: CopyMode): void {
  if (raw.prune !== true) return;
  const refuse = (message: string, hint: string): never => {
    throw new InvalidOptionError(message, { hint });
  };
  if (raw.viaExport !== undefined) {
    refuse(
      '--prune and --via-export cannot be used together.',
      "--via-export creates a new target through AWS's import, so there is nothing to prune. Use --data-only --prune without --via-export.",
    );
  }
  if (raw.follow !== undefined && raw.follow !== false) {
    refuse(
      '--prune and --follow cannot be used together.',
      "--follow already applies the source's deletes to the target; to remove items deleted before the copy, run --data-only --prune first, then follow.",
    );
  }
  if (raw.filterExpression !== undefined) {
    refuse(
      '--prune and --filter-expression cannot be used together: every target item the filter leaves out would be deleted.',
      'Drop --prune to put the filtered items over the target, or drop --filter-expression to make the target equal to the source.',
    );
  }
  if (raw.transform !== undefined) {
    refuse(
      "--prune and --transform cannot be used together: a transform may change the keys, so the target's keys cannot be checked against the source's.",
      'Drop --prune, or copy without the transform.',
    );
  }
  if (mode !== 'data-only') {
    refuse(
      '--prune needs --data-only.',
      'Without --data-only the target is recreated from the source, so it holds nothing to prune. Add --data-only to keep the target and delete its items the source does not have.',
    );
  }
}

/** Flags that tune the direct copy's scan and writes, or its checkpoint: AWS's jobs have no such knobs. */
const DIRECT_COPY_FLAGS: readonly [keyof RawOptions & string, string][] = [
  ['dataOnly', '--data-only'],
  ['schemaOnly', '--schema-only'],
  ['resume', '--resume'],
  ['restart', '--restart'],
  ['checkpoint', '--checkpoint'],
  ['workers', '--workers'],
  ['segments', '--segments'],
  ['concurrency', '--concurrency'],
  ['readRate', '--read-rate'],
  ['writeRate', '--write-rate'],
  ['consistentRead', '--consistent-read'],
  ['verify', '--verify'],
  // The export has no filter; masks and a transform are applied to the export's files instead.
  ['filterExpression', '--filter-expression'],
];

/** --via-export and its two companions, checked against every flag they cannot go with. */
function viaExportOptions(
  raw: RawOptions,
): Pick<CopyOptions, 'viaExport' | 'dropLsi' | 's3BucketOwner'> | Record<string, never> {
  const url = raw.viaExport;
  if (url === undefined) {
    for (const [key, flag] of [
      ['dropLsi', '--drop-lsi'],
      ['s3BucketOwner', '--s3-bucket-owner'],
    ] as const) {
      if (raw[key] !== undefined && raw[key] !== false) {
        throw new InvalidOptionError(`${flag} only applies to --via-export.`, {
          hint: `Add --via-export s3://bucket/prefix, or drop ${flag}.`,
        });
      }
    }
    return {};
  }
  for (const [key, flag] of DIRECT_COPY_FLAGS) {
    if (raw[key] !== undefined && raw[key] !== false) {
      throw new InvalidOptionError(`--via-export and ${flag} cannot be used together.`, {
        hint:
          key === 'verify'
            ? 'Run `ddbcopy verify` with the same sides after the copy (it scans both tables, so it consumes read capacity).'
            : key === 'filterExpression'
              ? "AWS's export takes no filter, so every item reaches the import. Filter on the direct copy (drop --via-export), or keep --via-export and pass --transform MODULE whose transform returns null for the items to leave out."
              : `--via-export hands the items to AWS's export and import jobs, which take no ${flag}. Drop one of them.`,
      });
    }
  }
  const owner = stringValue(raw.s3BucketOwner);
  if (raw.s3BucketOwner !== undefined && (!owner || !/^\d{12}$/.test(owner))) {
    throw new InvalidOptionError(
      `--s3-bucket-owner must be a 12-digit AWS account id, not '${String(raw.s3BucketOwner)}'.`,
    );
  }
  return { viaExport: parseS3Url(url), dropLsi: raw.dropLsi === true, s3BucketOwner: owner };
}

// Bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** ExportTableToPointInTime takes an S3Prefix of at most 1024 characters. */
const MAX_S3_PREFIX = 1024;

/** `s3://bucket/some/prefix/` → { bucket, prefix } without the trailing slash. */
export function parseS3Url(value: RawValue): S3Location {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(text);
  const bucket = match?.[1] ?? '';
  const rawPrefix = match?.[2] ?? '';
  const prefix = rawPrefix.replace(/\/+$/, '');
  // An empty path segment would put '//' into every key AWS writes.
  const emptySegment = rawPrefix.startsWith('/') || prefix.includes('//');
  if (!match || !BUCKET_NAME.test(bucket) || bucket.includes('..') || emptySegment) {
    throw new InvalidOptionError(
      `--via-export '${String(value)}' is not an S3 URL like s3://bucket/prefix.`,
      {
        hint: 'Name a bucket both accounts can reach, e.g. --via-export s3://my-transfer-bucket/ddbcopy/orders.',
      },
    );
  }
  if (prefix.length > MAX_S3_PREFIX) {
    throw new InvalidOptionError(`--via-export: the key prefix is longer than ${MAX_S3_PREFIX} characters.`);
  }
  return { bucket, prefix };
}

/** --resume and --restart, which exclude each other. */
export function resumeFlags(raw: RawOptions): { resume: boolean; restart: boolean } {
  if (raw.resume && raw.restart) {
    throw new InvalidOptionError('--resume and --restart cannot be used together.', {
      hint: '--resume continues the saved run; --restart throws it away and starts again from the beginning.',
    });
  }
  return { resume: raw.resume === true, restart: raw.restart === true };
}

/**
 * One side's connection from the flags: its own flags first, then the flags for both sides; the table
 * is required, the region, role ARN, endpoint and expected account are checked before use.
 */
export function sideConfig(raw: RawOptions, side: Side): SideConfig {
  const table = stringValue(raw[side]);
  if (!table) {
    throw new InvalidOptionError(`--${side} is required.`, {
      side,
      hint: `Name the ${side} table: --${side} TABLE (a name or a table ARN).`,
    });
  }
  // A side's own flag, else the flag for both sides (`--profile`, `--region`, `--endpoint-url`).
  const both: Record<string, string> = { Profile: 'profile', Region: 'region', EndpointUrl: 'endpointUrl' };
  const key = (suffix: string): string | undefined =>
    stringValue(raw[`${side}${suffix}`]) ?? (both[suffix] ? stringValue(raw[both[suffix]!]) : undefined);
  const config: SideConfig = { table };
  const profile = key('Profile');
  const region = key('Region');
  const roleArn = key('RoleArn');
  const externalId = key('ExternalId');
  const endpointUrl = key('EndpointUrl');
  if (profile) config.profile = profile;
  if (region) config.region = checkRegion(region, side, key('EndpointUrl') !== undefined);
  if (roleArn) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
      throw new InvalidOptionError(`--${side}-role-arn '${roleArn}' is not an IAM role ARN.`, {
        side,
        hint: 'A role ARN looks like arn:aws:iam::123456789012:role/ddbcopy-reader.',
      });
    }
    config.roleArn = roleArn;
  }
  if (externalId) config.externalId = externalId;
  const expectAccount = expectedAccount(raw, side);
  if (expectAccount) config.expectAccount = expectAccount;
  if (endpointUrl) {
    if (!URL.canParse(endpointUrl) || !/^https?:$/.test(new URL(endpointUrl).protocol)) {
      throw new InvalidOptionError(`--${side}-endpoint-url '${endpointUrl}' is not an http(s) URL.`, {
        side,
        hint: 'For DynamoDB Local: --' + side + '-endpoint-url http://localhost:8000',
      });
    }
    config.endpointUrl = endpointUrl;
  }
  return config;
}

/** `--expect-source-account` / `--expect-target-account`: exactly 12 digits, as AWS writes account ids. */
export function expectedAccount(raw: RawOptions, side: Side): string | undefined {
  const flag = `expect-${side}-account`;
  const value = raw[side === 'source' ? 'expectSourceAccount' : 'expectTargetAccount'];
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim().replace(/-/g, '') : '';
  if (!ACCOUNT_ID.test(text)) {
    throw new InvalidOptionError(`--${flag} must be a 12-digit AWS account id, not '${String(value)}'.`, {
      side,
      hint: `The console shows it under the account name (1234-5678-9012 is 123456789012); 'aws sts get-caller-identity --profile NAME' prints the account a profile resolves to.`,
    });
  }
  return text;
}

/**
 * A region name is checked before it is used (a typo would otherwise surface as a missing table):
 * on AWS it must look like one; with a custom endpoint (DynamoDB Local) any name goes.
 */
function checkRegion(region: string, side: Side, customEndpoint: boolean): string {
  if (customEndpoint || looksLikeRegion(region)) return region;
  const closest = closestRegion(region);
  throw new InvalidOptionError(
    `'${region}' is not an AWS region${closest ? `; did you mean ${closest}?` : '.'}`,
    {
      side,
      hint: closest
        ? `Pass --${side}-region ${closest} (or --region for both sides).`
        : `Regions look like eu-west-1 or us-east-2; 'aws ec2 describe-regions' lists them.`,
    },
  );
}

/** A flag's text, trimmed; undefined when absent or blank (a blank flag means "not given"). */
export function stringValue(value: RawValue): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A whole-number flag from 1 to `max`, or undefined when absent; anything else is refused naming the flag. */
export function positiveInteger(
  value: RawValue,
  flag: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < 1 || number > max) {
    throw new InvalidOptionError(`--${flag} must be a whole number from 1 to ${max}, not '${value}'.`);
  }
  return number;
}

/** '500' → 500 units/s; '50%' → half the side's capacity. */
export function parseRate(value: RawValue, flag: string): RateSpec | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 0 && p <= 100) return { kind: 'percent', percent: p };
  } else if (/^\d+(?:\.\d+)?$/.test(text) && Number(text) > 0) {
    return { kind: 'units', units: Number(text) };
  }
  throw new InvalidOptionError(
    `--${flag} must be capacity units per second (e.g. 500) or a percentage above 0 and at most 100 (e.g. 50%), not '${value}'.`,
  );
}

function parseBillingMode(value: RawValue): BillingMode | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim().toLowerCase();
  if (text === 'on-demand' || text === 'pay_per_request' || text === 'pay-per-request')
    return 'PAY_PER_REQUEST';
  if (text === 'provisioned') return 'PROVISIONED';
  throw new InvalidOptionError(`--billing-mode must be 'on-demand' or 'provisioned', not '${value}'.`);
}

export function parseSkip(value: RawValue): ReadonlySet<SkippableSetting> {
  const skip = new Set<SkippableSetting>();
  if (typeof value !== 'string') return skip;
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (!(SKIPPABLE_SETTINGS as readonly string[]).includes(name)) {
      throw new InvalidOptionError(`--skip: unknown setting '${part.trim()}'.`, {
        hint: `Known settings: ${SKIPPABLE_SETTINGS.join(', ')}.`,
      });
    }
    skip.add(name as SkippableSetting);
  }
  return skip;
}
