import {
  copyPolicies,
  isTableSet,
  type RawOptions,
  readPlanFile,
  renamePattern,
  stringValue,
  tableSetPolicies,
  validateCopyOptions,
  validateTableSetOptions,
} from '../../index.js';
import type { CliIO } from '../io.js';

/**
 * `ddbcopy iam-policy`: the least-privilege policies for the copy these flags describe, as JSON on
 * stdout: one policy for the source role, one for the target role, and trust policies for roles
 * named with --X-role-arn. Touches nothing and needs no credentials. With --tables or --plan, the
 * policies cover every table the set can select (its globs become IAM wildcards).
 */
export async function iamPolicyCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const principal = stringValue(raw.principal);
  if (!isTableSet(raw)) {
    io.stdout.write(
      `${JSON.stringify(copyPolicies(validateCopyOptions(raw, 'policy'), principal), null, 2)}\n`,
    );
    return 0;
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
  const policies = tableSetPolicies(
    {
      ...base,
      source: { ...set.source, table: 'set-source' },
      target: { ...set.target, table: 'set-target' },
    },
    {
      sources: pairs.map((pair) => pair.source),
      targets: pairs.map((pair) => pair.target),
      byTag: set.tagged !== undefined,
    },
    principal,
  );
  io.stdout.write(`${JSON.stringify(policies, null, 2)}\n`);
  return 0;
}
