/**
 * `iam-policy --side source|target|trust`: one policy document, ready to paste into IAM. Only the
 * flags that change some policy of the copy are taken (a rate, a prompt or an output flag changes no
 * permission, so it is refused rather than silently ignored), and the resources name the region and
 * account the sides' profiles resolve to, where known, instead of `*`. Nothing is asked of AWS.
 */
import { InvalidOptionError } from '../../errors.js';
import { POLICY_SIDES, type PolicyOptions, type PolicySide } from '../../plan/iam-policy.js';
import { profileDefaults } from '../../stores/open.js';
import { COPY_OPTION_DECLARATIONS, type OptionDeclaration, type RawOptions } from '../copy/options.js';
import { TABLE_SET_DECLARATIONS } from '../tables/options.js';

export type { PolicySide } from '../../plan/iam-policy.js';

/** `--side`: which one document `iam-policy` prints. */
export const IAM_POLICY_SIDE_DECLARATION: OptionDeclaration = {
  flag: 'side',
  value: 'SIDE',
  help: "print only this side's policy document, ready to paste into IAM: source, target or trust",
};

/** The flags that change some policy of the copy (camelCase, as commander gives them). */
const POLICY_FLAGS: ReadonlySet<string> = new Set([
  'side',
  'principal',
  'source',
  'target',
  'profile',
  'sourceProfile',
  'targetProfile',
  'region',
  'sourceRegion',
  'targetRegion',
  'sourceRoleArn',
  'targetRoleArn',
  'sourceExternalId',
  'targetExternalId',
  'expectSourceAccount',
  'expectTargetAccount',
  'dataOnly',
  'schemaOnly',
  'prune',
  'skip',
  'verify',
  'sseKmsKeyId',
  'follow',
  'viaExport',
  'tables',
  'tablesTagged',
  'rename',
  'plan',
]);

/** Flags that change a policy only with --via-export (the export's files are then rewritten in the bucket). */
const VIA_EXPORT_POLICY_FLAGS: ReadonlySet<string> = new Set(['mask', 'maskFile', 'transform']);

/** Why some refused flags change no permission, where the general words would not say enough. */
const WHY: Readonly<Record<string, string>> = {
  exclude:
    'IAM cannot leave tables out of a wildcard: the policy covers every table --tables matches. Narrow --tables instead.',
  endpointUrl: 'An endpoint changes where requests go, not which permissions they need.',
  sourceEndpointUrl: 'An endpoint changes where requests go, not which permissions they need.',
  targetEndpointUrl: 'An endpoint changes where requests go, not which permissions they need.',
  filterExpression: 'A filtered copy sends the same Scan requests as a full one.',
  untilCaughtUp: "A follow that stops once caught up reads the same stream as one that doesn't.",
};

/**
 * The `--side` of an iam-policy command line, or undefined without one. With a side, every flag that
 * changes no policy is refused (exit 2) naming the flag: the document printed would be the same
 * without it, and a user who expects a rate or a prompt to be enforced by IAM should know it is not.
 */
export function validatePolicySide(raw: RawOptions): PolicySide | undefined {
  if (raw.side === undefined) return undefined;
  const side = typeof raw.side === 'string' ? raw.side.trim().toLowerCase() : '';
  if (!(POLICY_SIDES as readonly string[]).includes(side)) {
    throw new InvalidOptionError(`--side must be source, target or trust, not '${String(raw.side)}'.`, {
      hint: 'source: the role reading the source table; target: the role writing the target; trust: who may assume those roles.',
    });
  }
  for (const [key, value] of Object.entries(raw)) {
    const given = value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);
    if (!given || POLICY_FLAGS.has(key)) continue;
    if (VIA_EXPORT_POLICY_FLAGS.has(key) && raw.viaExport !== undefined) continue;
    const flag = flagOf(key);
    const why = VIA_EXPORT_POLICY_FLAGS.has(key)
      ? 'Masks and a transform change no permission of a direct copy (only --via-export rewrites the export in the bucket).'
      : (WHY[key] ?? 'It changes no permission: the document is the same with or without it.');
    throw new InvalidOptionError(
      `${flag} does not change an IAM policy; iam-policy --side ${side} refuses it.`,
      {
        hint: `${why} Drop ${flag} (iam-policy without --side takes the copy's whole command line).`,
      },
    );
  }
  return side as PolicySide;
}

/**
 * The sides with what their profiles say (no request is made): a region for a side without one, and
 * the account the profile names (its role_arn's, sso_account_id, aws_account_id) for the resources.
 * What stays unknown stays a `*` wildcard for the user to fill in.
 */
export async function withProfileDefaults<Options extends PolicyOptions>(options: Options): Promise<Options> {
  const resolve = async (config: Options['source']): Promise<Options['source']> => {
    // A table ARN names its region and account already.
    if (config.table.startsWith('arn:')) return config;
    const found = await profileDefaults(config.profile);
    return {
      ...config,
      ...(config.region === undefined && found.region ? { region: found.region } : {}),
      ...(found.account ? { profileAccount: found.account } : {}),
    };
  };
  const [source, target] = await Promise.all([resolve(options.source), resolve(options.target)]);
  return { ...options, source, target };
}

/** `--some-flag` for a camelCase key, as declared (or spelled out when it is not a declared flag). */
function flagOf(key: string): string {
  const declared = [...COPY_OPTION_DECLARATIONS, ...TABLE_SET_DECLARATIONS].find(
    (declaration) => camelCase(declaration.flag) === key,
  );
  return `--${declared?.flag ?? key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
