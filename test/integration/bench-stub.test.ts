/**
 * The benchmark's stub endpoint (bench/stub-dynamodb.mjs) is the witness of rows 1, 4, 6 and 8 ("0
 * items lost"), so it must check what it receives as DynamoDB would: a request whose SigV4 signature
 * does not verify (the stub's check is test/harness/sigv4-check.mjs, not the SDK's signer) is refused
 * with InvalidSignatureException, a body that is not JSON with SerializationException, a batch
 * DynamoDB would refuse with ValidationException, and only the puts of accepted batches are counted.
 * Requests here are signed with the SDK's own signer (`@smithy/signature-v4`, as the clients sign),
 * so a request the stub accepts is one DynamoDB would accept too.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Account {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  endpoint: string;
}
interface SinkStats {
  puts: number;
  distinct: number;
  outOfRange: number;
  compared: number;
  differing: number;
  refused: Record<string, number>;
}
interface Stub {
  endpoint: string;
  define(...tables: object[]): Promise<unknown>;
  trust(...accounts: Account[]): Promise<unknown>;
  stats(table: string): Promise<SinkStats>;
  stop(): void;
}
interface BenchHarness {
  startStub(): Promise<Stub>;
  newAccount(name: string, endpoint: string, region: string): Account;
}
interface BenchItems {
  itemJson(index: number, itemBytes: number): string;
}

// The benchmark's modules are plain JavaScript; loaded by path so the type checker takes the shapes above.
const HARNESS = new URL('../../bench/lib/harness.mjs', import.meta.url).href;
const ITEMS = new URL('../../bench/lib/items.mjs', import.meta.url).href;
const ITEM_BYTES = 1000;
const SINK_ITEMS = 100;

let harness: BenchHarness;
let items: BenchItems;
let stub: Stub;
let account: Account;
let sinks = 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-bench-stub-'));

beforeAll(async () => {
  harness = (await import(HARNESS)) as BenchHarness;
  items = (await import(ITEMS)) as BenchItems;
  stub = await harness.startStub();
  account = harness.newAccount('stubtest', stub.endpoint, 'us-east-1');
  await stub.trust(account);
});
afterAll(() => {
  stub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SignatureV4's hash interface over node:crypto (HMAC when given a key). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

/**
 * POSTs `body` as DynamoDB operation `operation`, signed by the SDK's signer with `secret` (the
 * account's own by default); `tamper` changes the body after signing.
 */
async function send(
  operation: string,
  body: string,
  { secret = account.secretAccessKey, tamper }: { secret?: string; tamper?: (body: string) => string } = {},
): Promise<Answer> {
  const url = new URL(stub.endpoint);
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: account.region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: secret },
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
    },
    body,
  });
  const response = await fetch(stub.endpoint, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: tamper ? tamper(body) : body,
  });
  const text = await response.text();
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const type = String(parsed.__type ?? '');
  return { status: response.status, type: type.slice(type.indexOf('#') + 1), body: parsed };
}

/** A fresh sink of SINK_ITEMS items' capacity. */
async function newSink(): Promise<string> {
  const name = `sink_${++sinks}`;
  await stub.define({ name, sink: true, capacity: SINK_ITEMS, itemBytes: ITEM_BYTES });
  return name;
}

/** A BatchWriteItem body putting the bench items `indexes` (as the source holds them) into `table`. */
function batchOf(table: string, indexes: number[]): string {
  const requests = indexes.map((i) => `{"PutRequest":{"Item":${items.itemJson(i, ITEM_BYTES)}}}`);
  return `{"RequestItems":{${JSON.stringify(table)}:[${requests.join(',')}]}}`;
}

describe('the bench stub checks what it receives', () => {
  it('accepts a batch signed by the SDK signer and counts each of its items once', async () => {
    const sink = await newSink();
    const answer = await send('BatchWriteItem', batchOf(sink, [0, 1, 2]));
    expect(answer).toMatchObject({ status: 200, body: { UnprocessedItems: {} } });
    const stats = await stub.stats(sink);
    expect(stats).toMatchObject({ puts: 3, distinct: 3, outOfRange: 0, compared: 3, differing: 0 });
  });

  it('refuses a bad signature with InvalidSignatureException (400) and counts nothing', async () => {
    const sink = await newSink();
    const wrongSecret = await send('BatchWriteItem', batchOf(sink, [0, 1]), { secret: 'not-the-secret' });
    expect(wrongSecret).toMatchObject({ status: 400, type: 'InvalidSignatureException' });
    // Signed right, then changed on the way: the payload hash no longer matches.
    const tampered = await send('BatchWriteItem', batchOf(sink, [0, 1]), {
      tamper: (body) => body.replace('"i000000001"', '"i000000009"'),
    });
    expect(tampered).toMatchObject({ status: 400, type: 'InvalidSignatureException' });
    expect((await stub.stats(sink)).puts).toBe(0);
  });

  it('refuses a key it does not know with UnrecognizedClientException', async () => {
    const stranger = harness.newAccount('stranger', stub.endpoint, 'us-east-1');
    const saved = account;
    account = stranger;
    try {
      const answer = await send('DescribeTable', '{"TableName":"anything"}');
      expect(answer).toMatchObject({ status: 400, type: 'UnrecognizedClientException' });
    } finally {
      account = saved;
    }
  });

  it('refuses a body that is not JSON with SerializationException (400) and counts nothing', async () => {
    const sink = await newSink();
    const whole = batchOf(sink, [0, 1, 2]);
    // Cut short: every key is still in it, but it does not parse.
    const answer = await send('BatchWriteItem', whole.slice(0, -5));
    expect(answer).toMatchObject({ status: 400, type: 'SerializationException' });
    expect((await stub.stats(sink)).puts).toBe(0);
  });

  it('refuses a batch DynamoDB would refuse (ValidationException) and counts none of it', async () => {
    const sink = await newSink();
    const item = (i: number) => items.itemJson(i, ITEM_BYTES);
    const bodies = {
      'a key of another type': `{"RequestItems":{"${sink}":[{"PutRequest":{"Item":${item(0)}}},{"PutRequest":{"Item":{"pk":{"N":"1"}}}}]}}`,
      'no key': `{"RequestItems":{"${sink}":[{"PutRequest":{"Item":${item(0)}}},{"PutRequest":{"Item":{"name":{"S":"x"}}}}]}}`,
      'a value that is no AttributeValue': `{"RequestItems":{"${sink}":[{"PutRequest":{"Item":{"pk":{"S":"i000000003"},"name":"plain"}}}]}}`,
      'a value of two types': `{"RequestItems":{"${sink}":[{"PutRequest":{"Item":{"pk":{"S":"i000000003"},"name":{"S":"a","N":"1"}}}}]}}`,
      'the same key twice': batchOf(sink, [4, 5, 4]),
      'more than 25 requests': batchOf(
        sink,
        Array.from({ length: 26 }, (_, i) => i),
      ),
      'no RequestItems': '{}',
      'a request neither put nor delete': `{"RequestItems":{"${sink}":[{"UpdateRequest":{}}]}}`,
    };
    for (const [what, body] of Object.entries(bodies)) {
      const answer = await send('BatchWriteItem', body);
      expect({ what, status: answer.status, type: answer.type }).toEqual({
        what,
        status: 400,
        type: 'ValidationException',
      });
    }
    expect(await stub.stats(sink)).toMatchObject({ puts: 0, distinct: 0 });
  });

  it('counts an item changed on the way as differing from the source, and a foreign key as out of range', async () => {
    const sink = await newSink();
    const changed = items.itemJson(7, ITEM_BYTES).replace(/"name":\{"S":"[^"]*"\}/, '"name":{"S":"changed"}');
    const foreign = items.itemJson(SINK_ITEMS + 5, ITEM_BYTES);
    const body = `{"RequestItems":{"${sink}":[{"PutRequest":{"Item":${changed}}},{"PutRequest":{"Item":${foreign}}}]}}`;
    expect((await send('BatchWriteItem', body)).status).toBe(200);
    expect(await stub.stats(sink)).toMatchObject({
      puts: 2,
      distinct: 1,
      outOfRange: 1,
      compared: 2,
      differing: 1,
    });
  });
});
