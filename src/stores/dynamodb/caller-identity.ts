/**
 * Who a side's credentials are: STS GetCallerIdentity, asked at most once per connection. Any valid
 * credentials may call it (AWS: "No permissions are required to perform this operation"), so asking
 * needs nothing from the user's policies. Its endpoint and region follow the SDK: the side's region,
 * or the endpoint configured for STS (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
 * `services` section).
 *
 * A DynamoDB endpoint on this machine (DynamoDB Local) has no accounts: STS is not asked for it
 * unless an STS endpoint is configured too (LocalStack, the tests' fake STS), as nothing on AWS knows
 * DynamoDB Local's keys.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isLocalEndpoint, type SideConnection } from './client.js';

/** What GetCallerIdentity says: the account and the caller's ARN. */
export interface CallerIdentity {
  account: string;
  arn: string;
}

/** The caller, or why it is not known. Never a thrown error: not knowing is shown, and refused only when an account is expected. */
export type CallerLookup =
  | { identity: CallerIdentity }
  | { unknown: 'local-endpoint' | 'sts-failed'; message: string };

/** STS answers in well under a second; a network that swallows requests must not hold the run for minutes. */
const STS_CONNECTION_TIMEOUT_MS = 5_000;
const STS_REQUEST_TIMEOUT_MS = 10_000;

const lookups = new WeakMap<SideConnection, Promise<CallerLookup>>();

/** The side's caller identity, asked once per connection (copy and its confirmation share the answer). */
export function callerIdentity(conn: SideConnection): Promise<CallerLookup> {
  let lookup = lookups.get(conn);
  if (!lookup) {
    lookup = askSts(conn);
    lookups.set(conn, lookup);
  }
  return lookup;
}

async function askSts(conn: SideConnection): Promise<CallerLookup> {
  const sts = new STSClient({
    region: conn.region,
    credentials: conn.credentials.provide,
    // One retry: a transient error is retried once; an unreachable STS costs at most two timeouts.
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: STS_CONNECTION_TIMEOUT_MS,
      requestTimeout: STS_REQUEST_TIMEOUT_MS,
    },
  });
  try {
    const dynamodb =
      conn.endpoint ??
      conn.resolvedEndpoint?.href ??
      (await configuredEndpoint(conn.client.config, 'DYNAMODB'));
    if (isLocalEndpoint(dynamodb) && !(await configuredEndpoint(sts.config, 'STS'))) {
      return {
        unknown: 'local-endpoint',
        message: `the ${conn.side} endpoint ${dynamodb} is on this machine (DynamoDB Local has no accounts) and no STS endpoint is configured (AWS_ENDPOINT_URL_STS)`,
      };
    }
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    if (!answer.Account || !answer.Arn) {
      return { unknown: 'sts-failed', message: 'STS GetCallerIdentity answered without an account' };
    }
    return { identity: { account: answer.Account, arn: answer.Arn } };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { unknown: 'sts-failed', message: `STS GetCallerIdentity failed: ${reason}` };
  } finally {
    sts.destroy();
  }
}

/**
 * The endpoint the SDK would take for a service from its configuration (AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, the profile), if any. Asked of the client's own resolver where it has one, else
 * read from the environment as the SDK documents it.
 */
async function configuredEndpoint(config: object, service: 'STS' | 'DYNAMODB'): Promise<string | undefined> {
  const resolve = (config as { serviceConfiguredEndpoint?: unknown }).serviceConfiguredEndpoint;
  if (typeof resolve === 'function') {
    try {
      return ((await resolve()) as string | undefined) ?? undefined;
    } catch {
      return undefined;
    }
  }
  if (/^(1|true)$/i.test(process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return undefined;
  return process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL;
}
