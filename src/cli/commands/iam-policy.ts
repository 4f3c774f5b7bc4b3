import { copyPolicies, type RawOptions, stringValue, validateCopyOptions } from '../../index.js';
import type { CliIO } from '../io.js';

/**
 * `ddbcopy iam-policy`: the least-privilege policies for the copy these flags describe, as JSON on
 * stdout: one policy for the source role, one for the target role, and trust policies for roles
 * named with --X-role-arn. Touches nothing and needs no credentials.
 */
export async function iamPolicyCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const options = validateCopyOptions(raw);
  const policies = copyPolicies(options, stringValue(raw.principal));
  io.stdout.write(`${JSON.stringify(policies, null, 2)}\n`);
  return 0;
}
