/**
 * The data path's requests (Scan and BatchWriteItem through src's WireClient) carry a SigV4 signature
 * real DynamoDB accepts. Checked by an independent implementation (test/harness/sigv4-verify.ts,
 * node:crypto, not the SDK's signer the wire client uses), which is first proven against AWS's
 * published SigV4 test-suite vectors. The requests are captured by a local HTTP server exactly as
 * they leave the process, so the check sees the bytes AWS would.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/model/item.js';
import { batchWriteJson, WireClient } from '../../src/stores/dynamodb/wire-client.js';
import { type ReceivedRequest, type SecretLookup, sha256Hex, verifySigV4 } from '../harness/sigv4-verify.js';

// --- The check itself, against AWS's numbers -------------------------------------------------------

// aws-sig-v4-test-suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html): every
// vector signs with this key, region us-east-1, service "service", at 20150830T123600Z.
const SUITE_KEY = 'AKIDEXAMPLE';
const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const suiteSecrets: SecretLookup = (key) => (key === SUITE_KEY ? SUITE_SECRET : undefined);

function suiteRequest(
  method: string,
  url: string,
  signedHeaders: string,
  signature: string,
  headers: Record<string, string> = {},
  body = '',
): ReceivedRequest {
  return {
    method,
    url,
    headers: {
      ...headers,
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: `AWS4-HMAC-SHA256 Credential=${SUITE_KEY}/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body: Buffer.from(body, 'utf8'),
  };
}

const VECTORS: Record<string, ReceivedRequest> = {
  'get-vanilla': suiteRequest(
    'GET',
    '/',
    'host;x-amz-date',
    '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  ),
  'post-vanilla': suiteRequest(
    'POST',
    '/',
    'host;x-amz-date',
    '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  ),
  'get-vanilla-query-order-key-case': suiteRequest(
    'GET',
    '/?Param2=value2&Param1=value1',
    'host;x-amz-date',
    'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  ),
  // A real payload: the body's hash is part of what is signed.
  'post-x-www-form-urlencoded': suiteRequest(
    'POST',
    '/',
    'content-type;host;x-amz-date',
    'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'Param1=value1',
  ),
};

describe('the independent SigV4 check', () => {
  for (const [name, request] of Object.entries(VECTORS)) {
    it(`accepts AWS's test-suite vector ${name}`, () => {
      expect(verifySigV4(request, suiteSecrets, 'service')).toEqual({ valid: true, accessKeyId: SUITE_KEY });
    });
  }

  it('refuses the vector with another body, another secret, another signed header value or service', () => {
    const request = VECTORS['post-x-www-form-urlencoded']!;
    const refused = (changed: ReceivedRequest, secrets = suiteSecrets, service = 'service') => {
      const verdict = verifySigV4(changed, secrets, service);
      expect(verdict.valid).toBe(false);
      return verdict.valid ? '' : verdict.type;
    };
    expect(refused({ ...request, body: Buffer.from('Param1=value2') })).toBe('InvalidSignatureException');
    expect(refused(request, () => 'wrong secret')).toBe('InvalidSignatureException');
    expect(refused({ ...request, headers: { ...request.headers, 'content-type': 'application/json' } })).toBe(
      'InvalidSignatureException',
    );
    expect(refused(request, suiteSecrets, 'dynamodb')).toBe('InvalidSignatureException');
    expect(refused(request, () => undefined)).toBe('UnrecognizedClientException');
    const { authorization: _, ...unsigned } = request.headers;
    expect(refused({ ...request, headers: unsigned })).toBe('MissingAuthenticationTokenException');
  });

  it('refuses a body whose x-amz-content-sha256 is the hash of an empty body, even when signed so', async () => {
    // What a signer handed the wrong payload hash produces: a self-consistent signature over a
    // canonical request the service never rebuilds, because it hashes the body it received.
    const body = '{"TableName":"t"}';
    const signer = new SignatureV4({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'dynamodb.eu-west-1.amazonaws.com',
      path: '/',
      headers: {
        host: 'dynamodb.eu-west-1.amazonaws.com',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-content-sha256': sha256Hex(''),
      },
      body,
    });
    const received: ReceivedRequest = {
      method: 'POST',
      url: '/',
      headers: lowerCase(signed.headers),
      body: Buffer.from(body),
    };
    const verdict = verifySigV4(received, () => 'secret');
    expect(verdict).toMatchObject({ valid: false, type: 'InvalidSignatureException' });
    expect(verdict.valid ? '' : verdict.reason).toContain('x-amz-content-sha256');
    // The same request with the right hash passes: the check refuses the hash, nothing else.
    const good = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'dynamodb.eu-west-1.amazonaws.com',
      path: '/',
      headers: { host: 'dynamodb.eu-west-1.amazonaws.com', 'content-type': 'application/x-amz-json-1.0' },
      body,
    });
    expect(verifySigV4({ ...received, headers: lowerCase(good.headers) }, () => 'secret')).toMatchObject({
      valid: true,
    });
  });
});

// --- src's wire client, as AWS would see it --------------------------------------------------------

describe("the wire client's signature (src/stores/dynamodb/wire-client.ts)", () => {
  const KEYS = { accessKeyId: 'AKIDWIRETEST', secretAccessKey: 'wire/test+secret' };
  const secrets: SecretLookup = (key) => (key === KEYS.accessKeyId ? KEYS.secretAccessKey : undefined);
  let server: http.Server;
  let endpoint: URL;
  const received: ReceivedRequest[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends one operation through a real WireClient and returns the request as the server got it. */
  async function sendThroughWire(
    operation: string,
    body: string,
    credentials: AwsCredentialIdentity = KEYS,
  ): Promise<ReceivedRequest> {
    const client = new WireClient({
      endpoint,
      region: 'eu-west-1',
      credentials: async () => credentials,
      maxSockets: 1,
    });
    try {
      received.length = 0;
      await client.send(operation, body);
      expect(received).toHaveLength(1);
      return received[0]!;
    } finally {
      client.destroy();
    }
  }

  // Non-ASCII, 4-byte UTF-8 and escapes: a hash of a UTF-16 or Latin-1 copy would differ.
  const items: Item[] = [
    { pk: { S: 'é 😀 \u2028' }, n: { N: '-0.12345678901234567890123456789012345678' } },
    { pk: { S: 'quote " backslash \\' }, b: { B: Uint8Array.from([0, 255, 1]) } },
  ];
  const bodies: Record<string, string> = {
    Scan: JSON.stringify({
      TableName: 'orders',
      Segment: 3,
      TotalSegments: 8,
      Limit: 1000,
      ExclusiveStartKey: { pk: { S: 'ü' } },
      ReturnConsumedCapacity: 'TOTAL',
    }),
    BatchWriteItem: batchWriteJson('orders', items),
  };

  for (const [operation, body] of Object.entries(bodies)) {
    it(`${operation}: the payload hash is the SHA-256 of the body sent, and the signature checks out`, async () => {
      const request = await sendThroughWire(operation, body);
      expect(request.body.toString('utf8')).toBe(body);
      expect(request.headers['x-amz-content-sha256']).toBe(sha256Hex(request.body));
      expect(request.headers['x-amz-target']).toBe(`DynamoDB_20120810.${operation}`);
      const signedHeaders = /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1];
      expect(signedHeaders?.split(';')).toEqual(
        expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'x-amz-content-sha256']),
      );
      const verdict = verifySigV4(request, secrets);
      expect(verdict.valid ? '' : verdict.reason).toBe('');

      // The same request with one byte changed, under another secret, or to another operation: refused.
      const tampered = Buffer.from(request.body);
      const at = tampered.length - 2;
      tampered[at] = tampered[at]! ^ 1;
      expect(verifySigV4({ ...request, body: tampered }, secrets)).toMatchObject({ valid: false });
      expect(verifySigV4(request, () => 'another secret')).toMatchObject({
        valid: false,
        type: 'InvalidSignatureException',
      });
      const otherTarget = { ...request.headers, 'x-amz-target': 'DynamoDB_20120810.DeleteTable' };
      expect(verifySigV4({ ...request, headers: otherTarget }, secrets)).toMatchObject({ valid: false });
    });
  }

  it('signs the session token of temporary credentials', async () => {
    const session = { ...KEYS, sessionToken: 'FwoGZXIvYXdzE/token+with=odd/chars' };
    const request = await sendThroughWire('Scan', bodies.Scan!, session);
    expect(request.headers['x-amz-security-token']).toBe(session.sessionToken);
    expect(request.headers.authorization).toContain('x-amz-security-token');
    expect(verifySigV4(request, secrets)).toEqual({ valid: true, accessKeyId: KEYS.accessKeyId });
    const otherToken = { ...request.headers, 'x-amz-security-token': 'another token' };
    expect(verifySigV4({ ...request, headers: otherToken }, secrets)).toMatchObject({ valid: false });
  });
});

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** SignatureV4's hash interface over node:crypto, for the one test that signs with the SDK's signer. */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}
