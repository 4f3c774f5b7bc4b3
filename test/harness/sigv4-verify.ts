/**
 * Checks an AWS Signature Version 4 the way the service does: from the request as it arrived, with
 * node:crypto only. Deliberately not the SDK's signer (`@smithy/signature-v4`), which is what ddbcopy
 * signs with: a mistake in how we call it must not be repeated by the check. Proven against AWS's
 * published test-suite vectors in `test/unit/wire-signing.test.ts`.
 *
 * The steps (AWS General Reference, "Create a signed AWS API request"):
 * 1. Parse `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
 *    SignedHeaders=a;b;c, Signature=HEX`; look up the key's secret.
 * 2. The payload hash is the SHA-256 (hex) of the body as received. When the request carries
 *    `x-amz-content-sha256`, it must equal that hash (a signer that hashed something else, say an
 *    empty body, signs a canonical request the server never rebuilds).
 * 3. The canonical request: method; the path with each segment URI-encoded once more (non-S3 services
 *    encode twice, and the path arrives encoded once); the query, each name and value decoded then
 *    RFC 3986-encoded, sorted by name then value, joined with `&`; each signed header as
 *    `name:value` (lowercase name, value trimmed, inner runs of spaces collapsed) with a newline
 *    after each; the signed header list; the payload hash. Lines joined with `\n`.
 * 4. The string to sign: `AWS4-HMAC-SHA256`, `x-amz-date`, the credential scope
 *    `DATE/REGION/SERVICE/aws4_request`, the hex SHA-256 of the canonical request.
 * 5. The signing key: HMAC-SHA256 chained over `AWS4` + secret, DATE, REGION, SERVICE,
 *    `aws4_request`; the signature is the hex HMAC of the string to sign under it, compared in
 *    constant time with the one sent.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialRegistry } from './fake-sts.js';
import type { LocalAccount } from './local-accounts.js';

/** The secret access key of an access key id, or undefined for a key the "service" does not know. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface ReceivedRequest {
  method: string;
  /** The request target as it arrived: path and query, still percent-encoded. */
  url: string;
  /** As node:http gives them: lowercase names, repeated headers joined with ", ". */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SignatureVerdict =
  | { valid: true; accessKeyId: string }
  | {
      valid: false;
      accessKeyId: string | undefined;
      /** The error type DynamoDB answers with, e.g. `InvalidSignatureException`. */
      type: string;
      /** DynamoDB's message for it. */
      message: string;
      /** What exactly did not match, for the test log. */
      reason: string;
    };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** DynamoDB's message for a signature that does not match, word for word. */
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Verifies the request's SigV4 signature for `service` with the secret `secretOf` gives its key. */
export function verifySigV4(
  request: ReceivedRequest,
  secretOf: SecretLookup,
  service = 'dynamodb',
): SignatureVerdict {
  const authorization = single(request.headers.authorization);
  if (!authorization) {
    return reject(
      undefined,
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token',
      'no Authorization header',
    );
  }
  const parsed = AUTHORIZATION.exec(authorization);
  if (!parsed) {
    return reject(
      undefined,
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization}`,
      'malformed Authorization header',
    );
  }
  const [, credential, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
  const scopeParts = credential.split('/');
  const [accessKeyId, date, region, scopeService, terminator] = scopeParts;
  if (scopeParts.length !== 5 || terminator !== 'aws4_request' || !accessKeyId || !date || !region) {
    return reject(
      accessKeyId,
      'IncompleteSignatureException',
      `Credential should be scoped to a valid region. Authorization=${authorization}`,
      `malformed credential scope ${credential}`,
    );
  }
  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    return reject(
      accessKeyId,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      `unknown access key id ${accessKeyId}`,
    );
  }
  if (scopeService !== service) {
    return mismatch(
      accessKeyId,
      `Credential should be scoped to correct service: '${service}'. `,
      `scope names service ${scopeService}`,
    );
  }
  const amzDate = single(request.headers['x-amz-date']) ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return reject(
      accessKeyId,
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      `x-amz-date '${amzDate}'`,
    );
  }
  if (amzDate.slice(0, 8) !== date) {
    return mismatch(
      accessKeyId,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      'scope date differs from x-amz-date',
    );
  }

  const bodyHash = sha256Hex(request.body);
  const declaredHash = single(request.headers['x-amz-content-sha256']);
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    return mismatch(
      accessKeyId,
      SIGNATURE_MISMATCH_MESSAGE,
      `x-amz-content-sha256 ${declaredHash} is not the SHA-256 of the ${request.body.length}-byte body (${bodyHash})`,
    );
  }

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) {
    return mismatch(accessKeyId, SIGNATURE_MISMATCH_MESSAGE, "'host' is not among the signed headers");
  }
  const headerLines: string[] = [];
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) {
      return mismatch(accessKeyId, SIGNATURE_MISMATCH_MESSAGE, `signed header ${name} is not in the request`);
    }
    headerLines.push(`${name}:${canonicalHeaderValue(value)}\n`);
  }
  const queryStart = request.url.indexOf('?');
  const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    headerLines.join(''),
    signedHeaderList,
    bodyHash,
  ].join('\n');
  const scope = `${date}/${region}/${scopeService}/aws4_request`;
  const expected = sigV4Signature(secret, scope, amzDate, canonicalRequest);
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
    return mismatch(
      accessKeyId,
      SIGNATURE_MISMATCH_MESSAGE,
      `signature ${signature} is not ${expected}; canonical request:\n${canonicalRequest}`,
    );
  }
  return { valid: true, accessKeyId };
}

/** Steps 4 and 5: the hex signature of a canonical request under `secret` and `scope` (DATE/REGION/SERVICE/aws4_request). */
export function sigV4Signature(
  secret: string,
  scope: string,
  amzDate: string,
  canonicalRequest: string,
): string {
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of scope.split('/')) key = createHmac('sha256', key).update(part, 'utf8').digest();
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** Every key the accounts and the registry's sessions sign with. */
export function secretsOf(accounts: readonly LocalAccount[], registry?: CredentialRegistry): SecretLookup {
  const secrets = new Map(accounts.map((account) => [account.accessKeyId, account.secretAccessKey]));
  return (accessKeyId) => secrets.get(accessKeyId) ?? registry?.secretOf(accessKeyId);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function canonicalHeaderValue(value: string | string[]): string {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.trim().replace(/\s+/g, ' ');
}

/** Non-S3 services encode the path twice; it arrives encoded once, so each segment is encoded again. */
function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return [uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded, in upper-case hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function reject(
  accessKeyId: string | undefined,
  type: string,
  message: string,
  reason: string,
): SignatureVerdict {
  return { valid: false, accessKeyId, type, message, reason };
}

function mismatch(accessKeyId: string, message: string, reason: string): SignatureVerdict {
  return reject(accessKeyId, 'InvalidSignatureException', message, reason);
}
