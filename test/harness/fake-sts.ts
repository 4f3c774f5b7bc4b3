/**
 * A fake AWS STS for tests: answers `AssumeRole` and `GetCallerIdentity` in the awsQuery protocol
 * (form-encoded POST in, XML out) exactly as the SDK's STS clients (`@aws-sdk/nested-clients/sts`,
 * used by `fromTemporaryCredentials` and by profiles with `role_arn`; `@aws-sdk/client-sts`, which
 * ddbcopy asks who each side is) expect it, so role assumption, external IDs, credential refresh and
 * account checks can be tested without AWS. DynamoDB Local has no STS, and no accounts: this double
 * stands in for the one AWS API the tests cannot run for real.
 *
 * GetCallerIdentity answers as AWS does: a session key this STS issued is its role's session
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, the account from the role's ARN; an expired one
 * is `ExpiredToken`); any other key is an IAM user of the account `users` names for it (else
 * 000000000000, the account the AccessDenied messages name).
 *
 * Each role is bound to a DynamoDB Local "account" (an access key id). The session keys it hands out
 * are recorded in a `CredentialRegistry` that the fault proxy shares: the proxy maps every session key
 * back to its role's account (DynamoDB Local keeps data per key id, and every refresh brings a new
 * one) and answers `ExpiredTokenException` once a key is past its expiry. The registry keeps each
 * session key's secret, so the proxy checks session signatures too; this STS checks none.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface IssuedKey {
  roleArn: string;
  /** The DynamoDB Local "account" (access key id) this session acts as. */
  accountKeyId: string;
  sessionToken: string;
  /** When the key stops working, as stated to the client (before any clock skew). */
  expiresAt: Date;
}

export interface CredentialRegistryOptions {
  /** Keys count as expired this many seconds before their stated expiration (default 0). */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch; tests may pass a fake clock. */
  now?: () => number;
}

const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlphanumeric(length: number): string {
  return Array.from(randomBytes(length), (byte) => UPPER_ALPHANUMERIC[byte % UPPER_ALPHANUMERIC.length]).join(
    '',
  );
}

/** Session credentials handed out by the fake STS; shared with the fault proxy, which enforces them. */
export class CredentialRegistry {
  /** Mutable at runtime: raising it makes live keys expire early, as a revoked session or skewed clock would. */
  clockSkewSeconds: number;
  private readonly now: () => number;
  private readonly keys = new Map<string, IssuedKey>();
  /** Each issued key's secret, as AWS keeps it: the fault proxy checks session signatures with it. */
  private readonly secrets = new Map<string, string>();
  private counter = 0;

  constructor(options: CredentialRegistryOptions = {}) {
    this.clockSkewSeconds = options.clockSkewSeconds ?? 0;
    this.now = options.now ?? Date.now;
  }

  issue(roleArn: string, accountKeyId: string, lifetimeSeconds = 3600): IssuedCredentials {
    this.counter += 1;
    // Letters and digits only: DynamoDB Local rejects any other access key id, should one slip through.
    const accessKeyId = `ASIA${String(this.counter).padStart(6, '0')}${randomAlphanumeric(10)}`;
    const sessionToken = randomBytes(48).toString('base64');
    const expiration = new Date(this.now() + lifetimeSeconds * 1000);
    this.keys.set(accessKeyId, { roleArn, accountKeyId, sessionToken, expiresAt: expiration });
    const secretAccessKey = randomBytes(30).toString('base64');
    this.secrets.set(accessKeyId, secretAccessKey);
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  }

  lookup(accessKeyId: string): IssuedKey | undefined {
    return this.keys.get(accessKeyId);
  }

  /** The secret issued with a session key; undefined for a key this registry never issued. */
  secretOf(accessKeyId: string): string | undefined {
    return this.secrets.get(accessKeyId);
  }

  /** False for a key this registry never issued. */
  isExpired(accessKeyId: string): boolean {
    const key = this.keys.get(accessKeyId);
    return key !== undefined && this.now() >= key.expiresAt.getTime() - this.clockSkewSeconds * 1000;
  }

  expire(accessKeyId: string): void {
    const key = this.keys.get(accessKeyId);
    if (key) key.expiresAt = new Date(Math.min(key.expiresAt.getTime(), this.now()));
  }

  /** Every key issued so far stops working now; keys issued afterwards work normally. */
  expireAll(): void {
    for (const accessKeyId of this.keys.keys()) this.expire(accessKeyId);
  }

  get issuedCount(): number {
    return this.counter;
  }
}

export interface FakeStsRole {
  /** The DynamoDB Local "account" (access key id) the role's sessions act as. */
  accountKeyId: string;
  /** When set, AssumeRole must pass exactly this ExternalId (the trust policy's sts:ExternalId condition). */
  externalId?: string;
}

/** An IAM user for GetCallerIdentity: which account a base access key id belongs to. */
export interface FakeStsUser {
  account: string;
  /** The user's name in its ARN (default: the access key id). */
  name?: string;
}

/** One GetCallerIdentity call: who signed it, and what was answered. */
export interface CallerIdentityCall {
  callerAccessKeyId: string | undefined;
  /** The account and ARN answered, or the error code. */
  outcome: { account: string; arn: string } | { error: string };
}

export interface FakeStsOptions {
  roles: Record<string, FakeStsRole>;
  /** Base access key ids by the account they belong to (GetCallerIdentity); mutable through `users`. */
  users?: Record<string, FakeStsUser>;
  /** Lifetime of issued credentials, whatever DurationSeconds asks (default: DurationSeconds, else 3600). */
  sessionSeconds?: number;
  registry?: CredentialRegistry;
}

export interface AssumeRoleCall {
  roleArn: string;
  roleSessionName: string;
  externalId: string | undefined;
  durationSeconds: number | undefined;
  /** Access key id of the credentials that signed the call (the SDK's masterCredentials). */
  callerAccessKeyId: string | undefined;
  /** The issued access key id, or the error code. */
  outcome: { accessKeyId: string } | { error: string };
}

export interface FakeSts {
  /** `http://127.0.0.1:PORT`: give it as the STS client's `endpoint`, or in AWS_ENDPOINT_URL_STS. */
  readonly endpoint: string;
  readonly registry: CredentialRegistry;
  /** Mutable: add or change roles while running. */
  readonly roles: Record<string, FakeStsRole>;
  /** Mutable: add or change users (base keys) while running. */
  readonly users: Record<string, FakeStsUser>;
  sessionSeconds: number | undefined;
  counts(): { assumeRole: number; denied: number };
  calls(): AssumeRoleCall[];
  /** Every GetCallerIdentity call so far (kept apart from AssumeRole's counts). */
  identityCalls(): CallerIdentityCall[];
  reset(): void;
  close(): Promise<void>;
}

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** AWS's bounds for AssumeRole's DurationSeconds (the upper one is the role's maximum session, at most 12 h). */
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43_200;

export async function startFakeSts(options: FakeStsOptions): Promise<FakeSts> {
  const registry = options.registry ?? new CredentialRegistry();
  const roles = options.roles;
  const users = options.users ?? {};
  const log: AssumeRoleCall[] = [];
  const identityLog: CallerIdentityCall[] = [];
  /** The session name each issued key was asked for, for its assumed-role ARN. */
  const sessionNames = new Map<string, string>();
  const sockets = new Set<Socket>();

  const fake = {
    endpoint: '',
    registry,
    roles,
    users,
    sessionSeconds: options.sessionSeconds,
    counts: () => ({
      assumeRole: log.length,
      denied: log.filter((call) => 'error' in call.outcome).length,
    }),
    calls: () => [...log],
    identityCalls: () => [...identityLog],
    reset: () => {
      log.length = 0;
      identityLog.length = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const callerAccessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
      const answer = respond(params, callerAccessKeyId);
      const body = Buffer.from(answer.xml, 'utf8');
      res.writeHead(answer.status, {
        'content-type': 'text/xml',
        'content-length': String(body.length),
        'x-amzn-requestid': answer.requestId,
      });
      res.end(body);
    });
  });

  function respond(
    params: URLSearchParams,
    callerAccessKeyId: string | undefined,
  ): { status: number; xml: string; requestId: string } {
    const requestId = randomUUID();
    const action = params.get('Action');
    if (action === 'GetCallerIdentity') return callerIdentity(callerAccessKeyId, requestId);
    if (action !== 'AssumeRole') {
      return {
        status: 400,
        xml: errorXml(
          'InvalidAction',
          `Could not find operation ${action ?? '(none)'} for version 2011-06-15`,
        ),
        requestId,
      };
    }
    const roleArn = params.get('RoleArn') ?? '';
    const roleSessionName = params.get('RoleSessionName') ?? '';
    const externalId = params.get('ExternalId') ?? undefined;
    const durationText = params.get('DurationSeconds');
    const durationSeconds = durationText === null ? undefined : Number(durationText);
    const call = (outcome: AssumeRoleCall['outcome']): void => {
      log.push({ roleArn, roleSessionName, externalId, durationSeconds, callerAccessKeyId, outcome });
    };
    const fail = (status: number, code: string, message: string) => {
      call({ error: code });
      return { status, xml: errorXml(code, message, requestId), requestId };
    };

    if (!roleSessionName || !/^[\w+=,.@-]{2,64}$/.test(roleSessionName)) {
      return fail(
        400,
        'ValidationError',
        `1 validation error detected: Value '${roleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    if (
      durationSeconds !== undefined &&
      !(durationSeconds >= MIN_DURATION_SECONDS && durationSeconds <= MAX_DURATION_SECONDS)
    ) {
      return fail(
        400,
        'ValidationError',
        `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value between ${MIN_DURATION_SECONDS} and ${MAX_DURATION_SECONDS}`,
      );
    }
    const role = roles[roleArn];
    // AWS says AccessDenied for an unknown role too, so a caller cannot probe which roles exist.
    if (!role || (role.externalId !== undefined && role.externalId !== externalId)) {
      const caller = `arn:aws:iam::000000000000:user/${callerAccessKeyId ?? 'anonymous'}`;
      return fail(
        403,
        'AccessDenied',
        `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }

    const lifetime = fake.sessionSeconds ?? durationSeconds ?? 3600;
    const issued = registry.issue(roleArn, role.accountKeyId, lifetime);
    sessionNames.set(issued.accessKeyId, roleSessionName);
    call({ accessKeyId: issued.accessKeyId });
    const account = accountOfRole(roleArn);
    const roleName = roleArn.split('/').pop() ?? 'role';
    const roleId = `AROA${randomAlphanumeric(17)}`;
    const xml =
      `<AssumeRoleResponse xmlns="${STS_NAMESPACE}">` +
      '<AssumeRoleResult>' +
      '<Credentials>' +
      `<AccessKeyId>${escapeXml(issued.accessKeyId)}</AccessKeyId>` +
      `<SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${escapeXml(issued.sessionToken)}</SessionToken>` +
      `<Expiration>${issued.expiration.toISOString()}</Expiration>` +
      '</Credentials>' +
      '<AssumedRoleUser>' +
      `<Arn>arn:aws:sts::${account}:assumed-role/${escapeXml(roleName)}/${escapeXml(roleSessionName)}</Arn>` +
      `<AssumedRoleId>${roleId}:${escapeXml(roleSessionName)}</AssumedRoleId>` +
      '</AssumedRoleUser>' +
      '</AssumeRoleResult>' +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      '</AssumeRoleResponse>';
    return { status: 200, xml, requestId };
  }

  /** GetCallerIdentity: who the signing key is (a role session this STS issued, or a user's base key). */
  function callerIdentity(
    callerAccessKeyId: string | undefined,
    requestId: string,
  ): { status: number; xml: string; requestId: string } {
    const key = callerAccessKeyId ?? '';
    const session = registry.lookup(key);
    if (session && registry.isExpired(key)) {
      identityLog.push({ callerAccessKeyId, outcome: { error: 'ExpiredToken' } });
      return {
        status: 403,
        xml: errorXml('ExpiredToken', 'The security token included in the request is expired', requestId),
        requestId,
      };
    }
    let account: string;
    let arn: string;
    let userId: string;
    if (session) {
      account = accountOfRole(session.roleArn);
      const roleName = session.roleArn.split('/').pop() ?? 'role';
      const sessionName = sessionNames.get(key) ?? 'session';
      arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
      userId = `AROA${key.slice(4, 21)}:${sessionName}`;
    } else {
      const user = users[key];
      account = user?.account ?? '000000000000';
      arn = `arn:aws:iam::${account}:user/${user?.name ?? (key || 'anonymous')}`;
      userId = `AIDA${key.slice(0, 17).toUpperCase()}`;
    }
    identityLog.push({ callerAccessKeyId, outcome: { account, arn } });
    const xml =
      `<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}">` +
      '<GetCallerIdentityResult>' +
      `<Arn>${escapeXml(arn)}</Arn>` +
      `<UserId>${escapeXml(userId)}</UserId>` +
      `<Account>${account}</Account>` +
      '</GetCallerIdentityResult>' +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      '</GetCallerIdentityResponse>';
    return { status: 200, xml, requestId };
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** The account a role belongs to: the one in its ARN. */
function accountOfRole(roleArn: string): string {
  return /^arn:[^:]+:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? '000000000000';
}

function errorXml(code: string, message: string, requestId: string = randomUUID()): string {
  const type = code === 'InternalFailure' ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${STS_NAMESPACE}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId>` +
    '</ErrorResponse>'
  );
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
