import {
  type CopyPolicies,
  copyPolicies,
  isTableSet,
  type PolicyOptions,
  policyOfSide,
  type RawOptions,
  readPlanFile,
  renamePattern,
  stringValue,
  tableSetPolicies,
  validateCopyOptions,
  validatePolicySide,
  validateTableSetOptions,
  withProfileDefaults,
} from '../../index.js';
import type { CliIO } from '../io.js';

/**
 * `ddbcopy iam-policy`: the least-privilege policies for the copy these flags describe, as JSON on
 * stdout: one policy for the source role, one for the target role, and trust policies for roles
 * named with --X-role-arn. Touches nothing and needs no credentials. With --tables or --plan, the
 * policies cover every table the set can select (its globs become IAM wildcards). With --side, only
 * that document, its resources in the region and account the side's profile names when known.
 */
export async function iamPolicyCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const principal = stringValue(raw.principal);
  // --side: one document, nothing else on stdout; flags that change no policy are refused first.
  const side = validatePolicySide(raw);
  const print = async (options: PolicyOptions, policies: (options: PolicyOptions) => CopyPolicies) => {
    const document = side
      ? policyOfSide(policies(await withProfileDefaults(options)), side)
      : policies(options);
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  };
  if (!isTableSet(raw)) {
    return print(validateCopyOptions(raw, 'policy'), (options) => copyPolicies(options, principal));
  }
  const planPath = stringValue(raw.plan);
  const set = validateTableSetOptions(raw, 'copy', planPath ? await readPlanFile(planPath) : undefined);
  const base = validateCopyOptions(
    { ...set.tableFlags, source: 'set-source', target: 'set-target' },
    'policy',
  );
  const pairs = set.planFile
    ? set.planFile.tables.map((entry) => ({
        source: entry.source,
        target: entry.target ?? renamePattern(entry.source, set.renames),
      }))
    : set.include.map((glob) => ({ source: glob, target: renamePattern(glob, set.renames) }));
  return print(
    {
      ...base,
      source: { ...set.source, table: 'set-source' },
      target: { ...set.target, table: 'set-target' },
    },
    (options) =>
      tableSetPolicies(
        options,
        {
          sources: pairs.map((pair) => pair.source),
          targets: pairs.map((pair) => pair.target),
          byTag: set.tagged !== undefined,
        },
        principal,
      ),
  );
}
