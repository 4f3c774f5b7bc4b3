/**
 * Who a side acts as, and where: what a user checks before a table is deleted ("is this staging
 * profile really staging?"). The account comes from STS GetCallerIdentity, which any valid
 * credentials may call (it needs no IAM permission).
 */
export interface SideIdentity {
  /** The 12-digit account the side's credentials belong to; absent when it is not known (`accountUnknown` says why). */
  account?: string;
  /** The caller: an IAM user's ARN, or a role session's (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). */
  arn?: string;
  /**
   * Why `account` is absent: `local-endpoint`, a DynamoDB endpoint on this machine (DynamoDB Local has
   * no accounts) with no STS endpoint configured; `sts-failed`, STS could not be asked or refused.
   */
  accountUnknown?: { reason: 'local-endpoint' | 'sts-failed'; message: string };
  /** The named profile the side's credentials come from (--X-profile, --profile). */
  profile?: string;
  /** The role the side assumes (--X-role-arn). */
  roleArn?: string;
  /** The library caller passed the credentials (SideConfig.credentials): no profile, no default chain. */
  givenCredentials?: boolean;
  region: string;
  endpoint?: string;
}

/** An account id as AWS writes it: exactly 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/** How a side gets its credentials, in words: "role R (assumed with profile P)", "profile P", ... */
export function describeCredentials(
  who: Pick<SideIdentity, 'profile' | 'roleArn' | 'givenCredentials'>,
): string {
  const base = who.profile
    ? `profile ${who.profile}`
    : who.givenCredentials
      ? 'the credentials given'
      : 'the default credentials';
  return who.roleArn ? `role ${who.roleArn} (assumed with ${base})` : base;
}
