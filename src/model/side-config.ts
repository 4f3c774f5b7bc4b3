/**
 * How one side of a run reaches its table, as plain data: what the command line's side flags say, or
 * what a library caller passes. The store that connects (stores/dynamodb/client.ts) reads it.
 */

/**
 * Credentials a side signs with. The shape of the AWS SDK's AwsCredentialIdentity, declared here so
 * the data model imports no SDK: the SDK's credentials are these, and these are the SDK's.
 */
export interface SideCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials. */
  readonly sessionToken?: string;
  readonly credentialScope?: string;
  readonly accountId?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  readonly expiration?: Date;
}

/** Fetches (possibly fresh) credentials: the shape of the SDK's AwsCredentialIdentityProvider. */
export type SideCredentialsProvider = () => Promise<SideCredentials>;

/** How one side reaches its table: every field optional except the table, as on the command line. */
export interface SideConfig {
  /** Table name, or table ARN (cross-account access through a resource policy; its region wins). */
  table: string;
  profile?: string;
  region?: string;
  roleArn?: string;
  externalId?: string;
  endpointUrl?: string;
  /**
   * The 12-digit account the side's credentials must belong to (--expect-source-account,
   * --expect-target-account): a run whose credentials resolve elsewhere is refused before anything is
   * touched. It guards the side; it is not part of where the table is (records and their file names
   * ignore it).
   */
  expectAccount?: string;
  /** Base credentials (library use, the demo): replace the profile / default chain lookup. */
  credentials?: SideCredentials | SideCredentialsProvider;
}
