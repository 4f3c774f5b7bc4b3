/**
 * DynamoDbSink.writeBatch's own loop, driven fast and deterministically: this fakes DynamoDB's HTTP
 * API (a node:http server on 127.0.0.1 that speaks the JSON protocol just enough for BatchWriteItem)
 * because DynamoDB Local never leaves items unprocessed, never throttles and never expires a token.
 * The sink is opened through openSink with the fake as its endpoint and static keys, as a run opens
 * it. Each test scripts the fake's answers call by call and then checks exactly which items went in
 * which request, that each item was written exactly once, and what the sink told onRetry. Backoff
 * delays are made 0 (Math.random is 0) except in the test that measures them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryBudgetExhaustedError } from '../../src/errors.js';
import type { Item } from '../../src/model/item.js';
import type { SideCredentials } from '../../src/model/side-config.js';
import { readScanPage } from '../../src/stores/dynamodb/source.js';
import type { DynamoDbSink } from '../../src/stores/open.js';
import { openSink } from '../../src/stores/open.js';
import type { RetryReason } from '../../src/stores/types.js';

const TABLE = 'orders';

/** What the fake does with one BatchWriteItem call: write all, leave some keys unprocessed, or fail. */
type Answer =
  | { write: 'all' }
  | { leave: string[] }
  | { status: number; type?: string; message?: string; text?: string };

/** One BatchWriteItem the fake received: the items' pk values in order, the token it was signed with. */
interface Call {
  keys: string[];
  token: string | undefined;
  body: string;
  at: number;
}

interface Fake {
  url: string;
  calls: Call[];
  /** pk -> the item as last written, and how many times it was written. */
  written: Map<string, { item: Item; writes: number }>;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeEach(() => {
  // Full jitter draws each delay as random() × bound: 0 makes every pause 0 ms.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

/**
 * A BatchWriteItem endpoint answering call number n (0-based) with `script(n, call)`. DescribeTable
 * answers an ACTIVE table with `tableArn`.
 */
async function fakeDynamoDb(
  script: (n: number, call: Call) => Answer,
  tableArn = `arn:aws:dynamodb:us-east-1:123456789012:table/${TABLE}`,
): Promise<Fake> {
  const calls: Call[] = [];
  const written = new Map<string, { item: Item; writes: number }>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, json: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(typeof json === 'string' ? json : JSON.stringify(json));
      };
      const target = String(request.headers['x-amz-target']);
      if (target === 'DynamoDB_20120810.DescribeTable') {
        reply(200, { Table: { TableName: TABLE, TableArn: tableArn, TableStatus: 'ACTIVE' } });
        return;
      }
      if (target !== 'DynamoDB_20120810.BatchWriteItem') {
        reply(400, { __type: 'com.amazonaws.dynamodb.v20120810#UnknownOperationException' });
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(body) as {
        RequestItems: Record<string, { PutRequest: { Item: Item } }[]>;
        ReturnConsumedCapacity?: string;
      };
      const items = parsed.RequestItems[TABLE]!.map((request) => request.PutRequest.Item);
      const token = request.headers['x-amz-security-token'];
      const call: Call = {
        keys: items.map((item) => item.pk!.S!),
        token: typeof token === 'string' ? token : undefined,
        body,
        at: performance.now(),
      };
      calls.push(call);
      const answer = script(calls.length - 1, call);
      if ('status' in answer) {
        reply(
          answer.status,
          answer.text ??
            JSON.stringify({
              __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`,
              message: answer.message ?? answer.type,
            }),
        );
        return;
      }
      const leave = new Set('leave' in answer ? answer.leave : []);
      const unprocessed = items.filter((item) => leave.has(item.pk!.S!));
      const done = items.filter((item) => !leave.has(item.pk!.S!));
      for (const item of done) {
        const before = written.get(item.pk!.S!);
        written.set(item.pk!.S!, { item, writes: (before?.writes ?? 0) + 1 });
      }
      reply(200, {
        // As DynamoDB: capacity only when asked.
        ...(parsed.ReturnConsumedCapacity
          ? { ConsumedCapacity: [{ TableName: TABLE, CapacityUnits: done.length }] }
          : {}),
        UnprocessedItems: unprocessed.length
          ? { [TABLE]: unprocessed.map((Item) => ({ PutRequest: { Item } })) }
          : {},
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, written };
}

/** The sink as a run opens it, against the fake, with static keys (or a provider); retries recorded. */
async function sinkFor(
  fake: Fake,
  credentials: SideCredentials | (() => Promise<SideCredentials>) = {
    accessKeyId: 'AKIDFAKE',
    secretAccessKey: 'fake-secret',
  },
): Promise<{ sink: DynamoDbSink; retries: RetryReason[] }> {
  const retries: RetryReason[] = [];
  const sink = await openSink(
    {
      store: 'dynamodb',
      side: 'target',
      config: { table: TABLE, region: 'us-east-1', endpointUrl: fake.url, credentials },
      maxSockets: 2,
    },
    { onRetry: (reason) => retries.push(reason) },
  );
  cleanups.push(() => sink.close());
  return { sink, retries };
}

const item = (n: number): Item => ({ pk: { S: `k${n}` }, n: { N: String(n) }, b: { B: 'AQID' } });
const items = (count: number): Item[] => Array.from({ length: count }, (_, n) => item(n));
const keys = (...numbers: number[]) => numbers.map((n) => `k${n}`);

/** Every item of `expected` is in the fake exactly once, equal to what was given; nothing else is. */
function expectWrittenOnce(fake: Fake, expected: Item[]): void {
  expect([...fake.written.keys()].sort()).toEqual(expected.map((i) => i.pk!.S!).sort());
  for (const want of expected) {
    const got = fake.written.get(want.pk!.S!)!;
    expect(got.writes, want.pk!.S).toBe(1);
    expect(got.item).toEqual(JSON.parse(JSON.stringify(want)));
  }
}

describe('DynamoDbSink.writeBatch against a fake DynamoDB HTTP API', () => {
  it('asks for ConsumedCapacity, and adds up what each response reports', async () => {
    const fake = await fakeDynamoDb((n) => (n === 0 ? { leave: keys(1) } : { write: 'all' }));
    const { sink } = await sinkFor(fake);
    await sink.describe();
    const result = await sink.writeBatch(items(3));
    expect(fake.calls.map((call) => JSON.parse(call.body).ReturnConsumedCapacity)).toEqual([
      'TOTAL',
      'TOTAL',
    ]);
    // The fake reports 1 unit per item written: 2, then 1.
    expect(result.consumedWrite).toBe(3);
  });

  it('on DynamoDB Local (its ARN names the region ddblocal) asks for none, and counts 1 WCU per started KB of each item written', async () => {
    const fake = await fakeDynamoDb(
      (n) => (n === 0 ? { leave: keys(1) } : { write: 'all' }),
      `arn:aws:dynamodb:ddblocal:000000000000:table/${TABLE}`,
    );
    const { sink } = await sinkFor(fake);
    await sink.describe();
    // About 0.03, 1.5 and 2.5 KB: 1 + 2 + 3 units, each counted once although k1 is sent twice.
    const batch = [
      item(0),
      { ...item(1), pad: { S: 'x'.repeat(1500) } },
      { ...item(2), pad: { S: 'x'.repeat(2500) } },
    ];
    const result = await sink.writeBatch(batch);
    expect(fake.calls.map((call) => call.keys)).toEqual([keys(0, 1, 2), keys(1)]);
    expect(fake.calls.every((call) => !call.body.includes('ReturnConsumedCapacity'))).toBe(true);
    expect(result.consumedWrite).toBe(6);
    expectWrittenOnce(fake, batch);
  });

  it('sends UnprocessedItems again, exactly those, until none is left; each item is written once', async () => {
    const fake = await fakeDynamoDb((n) =>
      n === 0 ? { leave: keys(2, 5, 7) } : n === 1 ? { leave: keys(5) } : { write: 'all' },
    );
    const { sink, retries } = await sinkFor(fake);
    // Items as the source reads them: each carries its text, sent verbatim the first time.
    const text = `{"Items":[${items(10)
      .map((i) => JSON.stringify(i))
      .join(',')
      .replace('"k3"', '"\\u006b3"')}],"Count":10}`;
    const batch = readScanPage(text).Items!;

    const result = await sink.writeBatch(batch);

    expect(fake.calls.map((call) => call.keys)).toEqual([
      keys(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
      keys(2, 5, 7),
      keys(5),
    ]);
    expect(fake.calls[0]!.body).toContain('{"PutRequest":{"Item":{"pk":{"S":"\\u006b3"}');
    expect(retries).toEqual(['unprocessedItems', 'unprocessedItems']);
    expect(result).toEqual({ consumedWrite: 10, throttled: true });
    expectWrittenOnce(fake, items(10));
  });

  it('retries a throttled request whole (ProvisionedThroughputExceeded, ThrottlingException 400s)', async () => {
    const fake = await fakeDynamoDb((n) =>
      n === 0
        ? { status: 400, type: 'ProvisionedThroughputExceededException' }
        : n === 1
          ? {
              status: 400,
              type: 'ThrottlingException',
              message: 'Rate of requests exceeds the allowed throughput.',
            }
          : { write: 'all' },
    );
    const { sink, retries } = await sinkFor(fake);

    const result = await sink.writeBatch(items(4));

    expect(fake.calls.map((call) => call.keys)).toEqual([
      keys(0, 1, 2, 3),
      keys(0, 1, 2, 3),
      keys(0, 1, 2, 3),
    ]);
    expect(new Set(fake.calls.map((call) => call.body)).size).toBe(1);
    expect(retries).toEqual(['throttled', 'throttled']);
    expect(result).toEqual({ consumedWrite: 4, throttled: true });
    expectWrittenOnce(fake, items(4));
  });

  it('halves a batch the endpoint says is too large (413), again and again, keeping the order', async () => {
    // More than two items is "too large"; in the half [k2, k3], k3 is left unprocessed once.
    let leftK3 = false;
    const fake = await fakeDynamoDb((_, call) => {
      if (call.keys.length > 2) return { status: 413, text: '<html>Request Entity Too Large</html>' };
      if (call.keys.includes('k3') && !leftK3) {
        leftK3 = true;
        return { leave: keys(3) };
      }
      return { write: 'all' };
    });
    const { sink, retries } = await sinkFor(fake);

    const result = await sink.writeBatch(items(7));

    expect(fake.calls.map((call) => call.keys)).toEqual([
      keys(0, 1, 2, 3, 4, 5, 6),
      keys(0, 1, 2, 3),
      keys(0, 1),
      keys(2, 3),
      keys(3),
      keys(4, 5, 6),
      keys(4, 5),
      keys(6),
    ]);
    expect(retries).toEqual(['unprocessedItems']);
    expect(result).toEqual({ consumedWrite: 7, throttled: true });
    expectWrittenOnce(fake, items(7));
  });

  it('a single item still too large fails at once, unretried, as an AWS request error', async () => {
    const fake = await fakeDynamoDb(() => ({ status: 413, text: '' }));
    const { sink, retries } = await sinkFor(fake);

    await expect(sink.writeBatch(items(1))).rejects.toMatchObject({
      code: 'AWS_REQUEST_FAILED',
      side: 'target',
    });
    expect(fake.calls.map((call) => call.keys)).toEqual([keys(0)]);
    expect(retries).toEqual([]);
    expect(fake.written.size).toBe(0);
  });

  it('an expired token makes it fetch credentials again and resend with the new ones', async () => {
    let fetched = 0;
    const provider = async (): Promise<SideCredentials> => {
      fetched += 1;
      return { accessKeyId: 'ASIAFAKE', secretAccessKey: 'fake-secret', sessionToken: `token-${fetched}` };
    };
    const fake = await fakeDynamoDb((_, call) =>
      call.token === 'token-1'
        ? {
            status: 400,
            type: 'ExpiredTokenException',
            message: 'The security token included in the request is expired',
          }
        : { write: 'all' },
    );
    const { sink, retries } = await sinkFor(fake, provider);
    expect(fetched).toBe(1); // opening the sink checks the credentials

    const result = await sink.writeBatch(items(3));

    expect(fake.calls.map((call) => [call.token, call.keys])).toEqual([
      ['token-1', keys(0, 1, 2)],
      ['token-2', keys(0, 1, 2)],
    ]);
    expect(fetched).toBe(2);
    expect(retries).toEqual(['expiredCredentials']);
    expect(result).toEqual({ consumedWrite: 3, throttled: false });
    expectWrittenOnce(fake, items(3));
  });

  it('items that stay unprocessed exhaust the budget: RetryBudgetExhaustedError after 30 attempts', async () => {
    const fake = await fakeDynamoDb(() => ({ leave: keys(0, 1, 2) }));
    const { sink, retries } = await sinkFor(fake);

    const failure = sink.writeBatch(items(3));

    await expect(failure).rejects.toBeInstanceOf(RetryBudgetExhaustedError);
    await expect(failure).rejects.toThrow(/3 item\(s\) stayed unprocessed .* after 30 attempts/);
    expect(fake.calls).toHaveLength(30);
    expect(fake.calls.every((call) => call.keys.join() === keys(0, 1, 2).join())).toBe(true);
    expect(retries).toEqual(Array(30).fill('unprocessedItems'));
    expect(fake.written.size).toBe(0);
  });

  it('throttling without end exhausts the request budget: RetryBudgetExhaustedError after 30 attempts', async () => {
    const fake = await fakeDynamoDb(() => ({ status: 400, type: 'ThrottlingException' }));
    const { sink, retries } = await sinkFor(fake);

    const failure = sink.writeBatch(items(2));

    await expect(failure).rejects.toBeInstanceOf(RetryBudgetExhaustedError);
    await expect(failure).rejects.toThrow(
      /BatchWriteItem on the target table 'orders' kept failing \(30 attempts/,
    );
    expect(fake.calls).toHaveLength(30);
    expect(retries).toEqual(Array(30).fill('throttled'));
    expect(fake.written.size).toBe(0);
  });

  it('the budget restarts whenever some items get through: 60 fruitless answers in all, never 30 in a row', async () => {
    // Calls 0-19 write nothing, 20 writes k0, 21-40 nothing, 41 writes k1, 42-61 nothing, 62 the rest.
    const fake = await fakeDynamoDb((n, call) => {
      if (n === 20 || n === 41 || n === 62) return { leave: call.keys.slice(1) };
      return { leave: call.keys };
    });
    const { sink, retries } = await sinkFor(fake);

    const result = await sink.writeBatch(items(3));

    expect(fake.calls).toHaveLength(63);
    expect(fake.calls.map((call) => call.keys[0])).toEqual([
      ...Array(21).fill('k0'),
      ...Array(21).fill('k1'),
      ...Array(21).fill('k2'),
    ]);
    expect(retries).toHaveLength(62);
    expect(result.throttled).toBe(true);
    expectWrittenOnce(fake, items(3));
  });

  it('pauses before each resend, with a bound that doubles (full jitter, base 50 ms)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const fake = await fakeDynamoDb((n, call) => (n < 3 ? { leave: call.keys } : { write: 'all' }));
    const { sink } = await sinkFor(fake);

    await sink.writeBatch(items(2));

    const gaps = fake.calls.slice(1).map((call, i) => call.at - fake.calls[i]!.at);
    // Half of 50, 100 and 200 ms; timers may fire a millisecond early.
    expect(gaps.map((gap, i) => gap >= [25, 50, 100][i]! - 1)).toEqual([true, true, true]);
    expectWrittenOnce(fake, items(2));
  });
});
