import http from 'node:http';
import https from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { CredentialsError, ForbiddenOperationError, InvalidOptionError, type Side } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import { knownProfiles } from './profiles.js';
import { WireClient } from './wire-client.js';

export type { SideConfig } from '../../model/side-config.js';

export interface TableArn {
  partition: string;
  region: string;
  account: string;
  tableName: string;
}

const TABLE_ARN = /^arn:(aws[a-z-]*):dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

/** Parses a table ARN; returns undefined for a plain table name, throws for a malformed ARN. */
export function parseTableArn(value: string, side: Side): TableArn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const match = TABLE_ARN.exec(value);
  if (!match) {
    throw new InvalidOptionError(`--${side} '${value}' is not a valid DynamoDB table ARN.`, {
      side,
      hint: 'A table ARN looks like arn:aws:dynamodb:eu-west-1:123456789012:table/orders.',
    });
  }
  const [, partition, region, account, tableName] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { partition, region, account, tableName };
}

/**
 * Credentials that can be declared stale. The SDK caches what a provider returns until its
 * `expiration`; when DynamoDB says the token expired earlier than that (clock skew, revoked session),
 * `expireNow()` backdates the cached identity so the SDK fetches fresh credentials on the next request.
 */
type MutableIdentity = { -readonly [K in keyof AwsCredentialIdentity]: AwsCredentialIdentity[K] };

export class RefreshableCredentials {
  private current: MutableIdentity | undefined;
  private refreshAt = 0;
  private pending: Promise<MutableIdentity> | undefined;

  constructor(private readonly provider: AwsCredentialIdentityProvider) {}

  readonly provide = async (): Promise<AwsCredentialIdentity> => {
    if (this.current && Date.now() < this.refreshAt) return this.current;
    // One refresh at a time: a hundred writers must not assume the role a hundred times.
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  };

  /** DynamoDB said the token expired: the next request gets fresh credentials. */
  expireNow(): void {
    if (this.current) this.current.expiration = new Date(0);
    this.current = undefined;
  }

  private async fetch(): Promise<MutableIdentity> {
    const fetchedAt = Date.now();
    const identity: MutableIdentity = { ...(await this.provider()) };
    const expiresAt = identity.expiration?.getTime();
    // Refresh before expiry: five minutes early, or a quarter of the lifetime for short sessions.
    this.refreshAt =
      expiresAt === undefined
        ? Number.POSITIVE_INFINITY
        : expiresAt - Math.min(REFRESH_WINDOW_MS, Math.max(0, (expiresAt - fetchedAt) / 4));
    this.current = identity;
    return identity;
  }
}

/** Refresh temporary credentials this long before they expire, so no request is signed with a dying key. */
const REFRESH_WINDOW_MS = 5 * 60_000;

export interface SideConnection {
  side: Side;
  client: DynamoDBClient;
  /** What API calls pass as TableName: the ARN when given, else the name. */
  apiTableName: string;
  tableName: string;
  region: string;
  endpoint: string | undefined;
  credentials: RefreshableCredentials;
  arn: TableArn | undefined;
  /** The URL the SDK's last request went to (its endpoint rules, env and profile settings applied). */
  resolvedEndpoint: URL | undefined;
  /** The data path's client, made on first use from `resolvedEndpoint`. */
  wire: WireClient | undefined;
  maxSockets: number;
  allowedOperations: ReadonlySet<string> | undefined;
  /** Things the user should know about this side's setup (long-term keys). */
  warnings: string[];
  /** Where the credentials come from, for telling the user who this side is: --X-profile, --X-role-arn. */
  profile: string | undefined;
  roleArn: string | undefined;
  /** The library caller gave the credentials (SideConfig.credentials). */
  givenCredentials: boolean;
}

/**
 * Long-term IAM user keys (no session token) work, but leak forever; roles and SSO give temporary
 * credentials. Endpoints on this machine (DynamoDB Local) are exempt: static keys are normal there.
 */
export function longTermKeysWarning(
  side: Side,
  identity: AwsCredentialIdentity,
  endpointUrl: string | undefined,
): string | undefined {
  if (identity.sessionToken || isLocalEndpoint(endpointUrl)) return undefined;
  return `The ${side} side signs with long-term IAM user keys (no session token). Prefer a role (--${side}-role-arn) or SSO: temporary credentials expire on their own if they leak.`;
}

/** An endpoint on this machine (DynamoDB Local, a proxy in front of it): 127.*, localhost, ::1. */
export function isLocalEndpoint(url: string | undefined): boolean {
  if (!url) return false;
  const host = new URL(url).hostname;
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
}

/**
 * The side's data-path client. It reuses the endpoint the SDK resolved for the control-plane calls
 * that always come first (DescribeTable), so both paths talk to exactly the same place.
 */
export function wireClient(conn: SideConnection): WireClient {
  if (!conn.wire) {
    const endpoint = conn.resolvedEndpoint ?? (conn.endpoint ? new URL(conn.endpoint) : undefined);
    if (!endpoint) throw new Error(`the ${conn.side} endpoint is not known before a control-plane call`);
    conn.wire = new WireClient({
      endpoint,
      region: conn.region,
      credentials: conn.credentials.provide,
      maxSockets: conn.maxSockets,
      allowedOperations: conn.allowedOperations,
    });
  }
  return conn.wire;
}

/** Closes both clients' sockets. */
export function closeSide(conn: SideConnection | undefined): void {
  conn?.client.destroy();
  conn?.wire?.destroy();
}

export interface ConnectOptions {
  /** Sockets kept open to the endpoint; at least the number of requests in flight. */
  maxSockets: number;
  /** Allow only these operations (the source side gets read and describe calls only). */
  allowedOperations?: ReadonlySet<string>;
}

/** Operations the source side may perform: reads and describes, never a write. */
export const SOURCE_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeTableCommand',
  'DescribeTimeToLiveCommand',
  'DescribeContinuousBackupsCommand',
  'ListTagsOfResourceCommand',
  'ScanCommand',
  'GetItemCommand',
  'QueryCommand',
  'BatchGetItemCommand',
]);

/** Builds the side's client: its own credentials, region and endpoint, keep-alive sockets, no SDK retries. */
export async function connectSide(
  side: Side,
  config: SideConfig,
  options: ConnectOptions,
): Promise<SideConnection> {
  const arn = parseTableArn(config.table, side);
  if (arn && config.region && config.region !== arn.region) {
    throw new InvalidOptionError(
      `--${side}-region ${config.region} disagrees with the region in the table ARN (${arn.region}).`,
      { side, hint: `Drop --${side}-region: the ARN's region is used.` },
    );
  }
  if (config.externalId && !config.roleArn) {
    throw new InvalidOptionError(`--${side}-external-id needs --${side}-role-arn.`, { side });
  }
  const region = arn?.region ?? config.region;
  const base: AwsCredentialIdentityProvider = config.credentials
    ? asProvider(config.credentials)
    : config.profile
      ? fromIni({ profile: config.profile })
      : fromNodeProviderChain();
  const provider = config.roleArn
    ? fromTemporaryCredentials({
        params: {
          RoleArn: config.roleArn,
          RoleSessionName: `ddbcopy-${side}-${Date.now()}`,
          ...(config.externalId ? { ExternalId: config.externalId } : {}),
        },
        masterCredentials: base,
        clientConfig: {
          ...(region ? { region } : {}),
          ...(config.profile ? { profile: config.profile } : {}),
        },
      })
    : base;
  const credentials = new RefreshableCredentials(provider);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
  const client = new DynamoDBClient({
    ...(region ? { region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
    credentials: credentials.provide,
    // Our stores retry with their own budgets and count every retry; the SDK's would hide them.
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
    },
  });
  if (options.allowedOperations) guardOperations(client, side, options.allowedOperations);
  const connection: Partial<SideConnection> = {};
  recordEndpoint(client, (url) => {
    connection.resolvedEndpoint = url;
  });

  // A mistyped profile would otherwise surface as "no region is set": name it, and the ones there are.
  if (config.profile && !config.credentials) refuseUnknownProfile(side, config.profile);
  const resolvedRegion = await resolveRegion(client, side);
  const identity = await checkCredentials(credentials, side, config);
  const warning = longTermKeysWarning(side, identity, config.endpointUrl);
  const warnings = warning ? [warning] : [];
  return Object.assign(connection, {
    warnings,
    side,
    client,
    apiTableName: config.table,
    tableName: arn?.tableName ?? config.table,
    region: resolvedRegion,
    endpoint: config.endpointUrl,
    credentials,
    arn,
    resolvedEndpoint: connection.resolvedEndpoint,
    wire: undefined,
    maxSockets: options.maxSockets,
    allowedOperations: options.allowedOperations,
    profile: config.profile,
    roleArn: config.roleArn,
    givenCredentials: config.credentials !== undefined,
  });
}

/** Notes where the SDK sends requests, once its endpoint rules have run. */
function recordEndpoint(client: DynamoDBClient, record: (url: URL) => void): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { protocol?: string; hostname?: string; port?: number; path?: string };
      if (request?.hostname) {
        const port = request.port ? `:${request.port}` : '';
        record(new URL(`${request.protocol ?? 'https:'}//${request.hostname}${port}${request.path ?? '/'}`));
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'ddbcopyRecordEndpoint' },
  );
}

function asProvider(
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  return typeof credentials === 'function' ? credentials : async () => credentials;
}

function refuseUnknownProfile(side: Side, profile: string): void {
  const profiles = knownProfiles();
  if (profiles.includes(profile)) return;
  throw new InvalidOptionError(
    `The ${side} profile '${profile}' does not exist in the shared AWS config or credentials file.`,
    {
      side,
      hint: profiles.length
        ? `Profiles found: ${profiles.join(', ')}. Check --${side}-profile (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE).`
        : `No profile is defined (~/.aws/config, ~/.aws/credentials). Create one with 'aws configure --profile ${profile}', or 'aws configure sso'.`,
    },
  );
}

async function resolveRegion(client: DynamoDBClient, side: Side): Promise<string> {
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidOptionError(`No region is set for the ${side} side.`, {
    side,
    hint: `Pass --${side}-region, give a table ARN, set AWS_REGION, or use a profile with a region.`,
  });
}

/** Resolves credentials up front so a missing profile or unassumable role fails before any work. */
async function checkCredentials(
  credentials: RefreshableCredentials,
  side: Side,
  config: SideConfig,
): Promise<AwsCredentialIdentity> {
  try {
    return await credentials.provide();
  } catch (error) {
    const how = config.roleArn
      ? `assume role ${config.roleArn}`
      : config.profile
        ? `load profile '${config.profile}'`
        : 'find credentials (environment, shared config, SSO, instance role)';
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CredentialsError(`Could not ${how} for the ${side} side: ${reason}`, {
      side,
      cause: error,
      hint: config.roleArn
        ? `Check that the role trusts the ${side} side's base credentials${config.externalId ? ' with this external ID' : ''} and that those credentials work.`
        : `Pass --${side}-profile NAME (a profile in ~/.aws/config), set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; for SSO run 'aws sso login' first.`,
    });
  }
}

/** What the operation guard needs of an SDK client (DynamoDB's, or DynamoDB Streams'). */
interface GuardedClient {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
}

/**
 * Refuses any operation not on the allow-list before it leaves the process. `where` names what the
 * refused request was for, e.g. "the source side" or "the source side's stream".
 */
export function guardOperations(
  client: GuardedClient,
  side: Side,
  allowed: ReadonlySet<string>,
  where: { target: string; only: string; name: string } = {
    target: `the ${side} side`,
    only: 'reads and describes',
    name: 'ddbcopyOperationGuard',
  },
): void {
  const guard =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      const command = context.commandName ?? 'unknown';
      if (!allowed.has(command)) {
        throw new ForbiddenOperationError(
          `Refused to send ${command.replace(/Command$/, '')} to ${where.target}: ddbcopy only ${where.only} there.`,
          { side, hint: 'This is a bug in ddbcopy; please report it. Nothing was sent.' },
        );
      }
      return next(args);
    };
  client.middlewareStack.add(guard as never, { step: 'initialize', name: where.name });
}
