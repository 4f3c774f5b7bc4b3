/**
 * Every flag of `verify`, declared once, and their validation into frozen VerifyOptions. Side flags,
 * rates and `--skip` mean what they mean for `copy` and are parsed by the same helpers.
 */
import { InvalidOptionError } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import { SKIPPABLE_SETTINGS, type SkippableSetting } from '../../plan/translate-schema.js';
import { ITEM_OPTION_DECLARATIONS, type ItemOptions, validateItemOptions } from '../copy/item-options.js';
import {
  BOTH_SIDES_DECLARATIONS,
  type CopyOptions,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  parseRate,
  parseSkip,
  positiveInteger,
  type RateSpec,
  type RawOptions,
  type RawValue,
  sideConfig,
  sideDeclarations,
} from '../copy/options.js';

/** Keys named per kind of difference when `samples` is not given. */
export const DEFAULT_SAMPLES = 10;
const MAX_SAMPLES = 10_000;

/** Validated, frozen options of a verify: what the library's verifyTables takes. */
export interface VerifyOptions extends ItemOptions {
  readonly source: Readonly<SideConfig>;
  readonly target: Readonly<SideConfig>;
  /** Parallel scan segments per side; undefined: chosen from the larger table's size. */
  readonly segments: number | undefined;
  /** Keys named per kind of difference (missing, extra, different). */
  readonly samples: number;
  /** Cap on read capacity per second, applied to each side on its own. */
  readonly readRate: RateSpec | undefined;
  readonly consistentRead: boolean;
  /** Settings whose differences are not reported (those a copy was told to skip). */
  readonly skip: ReadonlySet<SkippableSetting>;
}

/** Every flag of `verify`. */
export const VERIFY_OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'source', value: 'TABLE', help: 'source table name or ARN (required)' },
  { flag: 'target', value: 'TABLE', help: 'target table name or ARN (required)' },
  ...sideDeclarations('source'),
  ...sideDeclarations('target'),
  ...BOTH_SIDES_DECLARATIONS,
  {
    flag: 'segments',
    value: 'N',
    help: 'parallel scan segments per side',
    defaultHelp: 'chosen from the table size',
  },
  {
    flag: 'samples',
    value: 'N',
    help: 'keys to name per kind of difference (missing, extra, different)',
    defaultHelp: String(DEFAULT_SAMPLES),
  },
  {
    flag: 'read-rate',
    value: 'N|P%',
    help: 'cap on read capacity units per second on each side, or % of its capacity',
  },
  { flag: 'consistent-read', help: 'strongly consistent scans (costs twice the read capacity)' },
  {
    flag: 'skip',
    value: 'LIST',
    help: `settings not to compare (as skipped by the copy): ${SKIPPABLE_SETTINGS.join(',')}`,
  },
  // The copy's filter, masks and transform: the target is compared with what they made of the source.
  ...ITEM_OPTION_DECLARATIONS.filter((d) => d.flag !== 'on-transform-error'),
  ...OUTPUT_DECLARATIONS,
];

/** Turns raw flag values into VerifyOptions, or throws InvalidOptionError naming the flag and the fix. */
export function validateVerifyOptions(raw: RawOptions): VerifyOptions {
  const source = sideConfig(raw, 'source');
  const target = sideConfig(raw, 'target');
  return Object.freeze({
    source: Object.freeze(source),
    target: Object.freeze(target),
    segments: positiveInteger(raw.segments, 'segments', 1_000_000),
    samples: parseSamples(raw.samples),
    readRate: parseRate(raw.readRate, 'read-rate'),
    consistentRead: raw.consistentRead === true,
    skip: parseSkip(raw.skip),
    ...validateItemOptions(raw),
  });
}

// 0 is allowed: counts only, and one-sided buckets need no second scan.
function parseSamples(value: RawValue): number {
  if (value === undefined) return DEFAULT_SAMPLES;
  if (String(value).trim() === '0') return 0;
  const samples = positiveInteger(value, 'samples', MAX_SAMPLES);
  if (samples === undefined) throw new InvalidOptionError('--samples needs a number.');
  return samples;
}

/**
 * What `copy --verify` checks after a copy: the same sides, segments, read rate and skipped settings.
 * Billing and capacity overrides of the copy make the definitions differ on purpose; a caller passing
 * them should expect (or filter) those schema differences.
 */
export function verifyOptionsAfterCopy(copy: CopyOptions): VerifyOptions {
  return Object.freeze({
    source: copy.source,
    target: copy.target,
    segments: copy.segments,
    samples: DEFAULT_SAMPLES,
    readRate: copy.readRate,
    // Right after the last writes, an eventually consistent scan could still miss some of them.
    consistentRead: true,
    skip: copy.skip,
    ...(copy.filter ? { filter: copy.filter } : {}),
    ...(copy.masks ? { masks: copy.masks } : {}),
    ...(copy.maskFile ? { maskFile: copy.maskFile, maskFileText: copy.maskFileText } : {}),
    ...(copy.maskSecret ? { maskSecret: copy.maskSecret, maskSecretEnv: copy.maskSecretEnv } : {}),
    ...(copy.transform ? { transform: copy.transform } : {}),
  });
}
