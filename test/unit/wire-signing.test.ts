import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class Sha256 {
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

// The wire client hands SignatureV4 the body's SHA-256 as x-amz-content-sha256 instead of letting it
// hash a UTF-8 copy of the body. The signer adds that same header itself (applyChecksum defaults to
// true), so the signed request must come out identical either way.
describe('signing with a ready-made payload hash', () => {
  it('gives the same headers and signature as the signer hashing the body', async () => {
    const signer = new SignatureV4({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
      sha256: Sha256,
      uriEscapePath: true,
    });
    const body = '{"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"é 😀"}}}}]}}';
    const request = (headers: Record<string, string>, payload: string | Uint8Array) => ({
      method: 'POST',
      protocol: 'https:',
      hostname: 'dynamodb.eu-west-1.amazonaws.com',
      path: '/',
      query: {},
      headers: {
        host: 'dynamodb.eu-west-1.amazonaws.com',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
        'content-length': String(Buffer.byteLength(body, 'utf8')),
        ...headers,
      },
      body: payload,
    });
    const signingDate = new Date('2026-11-27T10:00:00Z');
    const bySigner = await signer.sign(request({}, Buffer.from(body, 'utf8')), { signingDate });
    const ready = await signer.sign(
      request({ 'x-amz-content-sha256': createHash('sha256').update(body, 'utf8').digest('hex') }, body),
      { signingDate },
    );
    expect(ready.headers).toEqual(bySigner.headers);
    expect(ready.headers.authorization).toContain('x-amz-content-sha256');
  });
});
