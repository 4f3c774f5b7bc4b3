import { AccountMismatchError, CredentialsError, InvalidOptionError, type Side } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import { describeCredentials, type SideIdentity } from '../../model/side-identity.js';

/**
 * Who a side acts as (its account from STS, its profile or role, its region: the store end's
 * `whoAmI()`), checked against --expect-X-account. Called right after a run opens the side, before
 * anything is described or touched: a mismatch is AccountMismatchError (exit 2), naming both accounts
 * and the profile or role.
 *
 * An expected account that cannot be checked is refused too, never waved through: on a local
 * endpoint (DynamoDB Local has no accounts; STS is asked only when an STS endpoint is configured)
 * and when STS cannot answer. A table ARN's account is not taken instead: DynamoDB Local ignores it,
 * and on AWS it names the table's owner, not who the credentials are.
 */
export function checkAccount(
  who: SideIdentity,
  side: Side,
  config: Pick<SideConfig, 'expectAccount'>,
  warn?: (message: string) => void,
): void {
  const expected = config.expectAccount;
  if (!expected) {
    // Not knowing who a side is matters when something may be deleted: say so (a local endpoint has no account to know).
    if (who.accountUnknown?.reason === 'sts-failed') {
      warn?.(
        `Could not tell which account the ${side} side's credentials belong to: ${who.accountUnknown.message}.`,
      );
    }
    return;
  }
  const flag = `--expect-${side}-account`;
  if (!who.account) {
    const unknown = who.accountUnknown;
    if (unknown?.reason === 'local-endpoint') {
      throw new InvalidOptionError(`${flag} ${expected} cannot be checked: ${unknown.message}.`, {
        side,
        hint: `Drop ${flag} for a local endpoint, or point AWS_ENDPOINT_URL_STS at an STS that knows these credentials (LocalStack).`,
      });
    }
    throw new CredentialsError(
      `${flag} ${expected} cannot be checked: ${unknown?.message ?? 'the account is not known'}.`,
      {
        side,
        hint: `GetCallerIdentity needs no permission: check the ${side} credentials (${describeCredentials(who)}) and that STS is reachable (sts.${who.region}.amazonaws.com, or AWS_ENDPOINT_URL_STS).`,
      },
    );
  }
  if (who.account !== expected) {
    throw new AccountMismatchError(
      `The ${side} credentials, ${describeCredentials(who)}, belong to account ${who.account}, not ${expected} as ${flag} says.${who.arn ? ` STS says the caller is ${who.arn}.` : ''}`,
      {
        side,
        hint: `Nothing was touched. Check --${side}-profile and --${side}-role-arn (or AWS_PROFILE): a profile named for one account that signs in to another is the usual cause. 'aws sts get-caller-identity${who.profile ? ` --profile ${who.profile}` : ''}' shows the account.`,
      },
    );
  }
}
