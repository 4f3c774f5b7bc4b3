/**
 * The DynamoDB store's change-stream pieces against DynamoDB Local (which serves DynamoDB Streams on
 * its one port): DynamoDbChangeSource (shards, iterators, pages of records as the SDK gives them) and
 * DynamoDbSink.writeChanges (puts and deletes in one batch). Faults come from the fault proxy, which
 * passes Streams requests through and can throttle them or expire their iterators.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ForbiddenOperationError, StreamGapError, StreamIteratorExpiredError } from '../../src/errors.js';
import { compareSequenceNumbers } from '../../src/model/stream.js';
import { connectStreams, type DynamoDbChangeSource } from '../../src/stores/dynamodb/change-stream.js';
import { openSink, openSource } from '../../src/stores/open.js';
import type { ChangeRecord, ChangeWrite, Item, RetryReason } from '../../src/stores/types.js';
import { N_38_DIGITS } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localSideConfig } from '../harness/copy-options.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const TABLE = 'orders';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const bytes = (...values: number[]) => new Uint8Array(values);

/** Keys: `pk` (S) and `sk` (B), so binary key bytes travel through the stream and the deletes. */
const KEY = { pk: { S: 'order#1' }, sk: { B: bytes(0, 1, 2, 255) } };

/** Every kind of value, with a 38-digit number and binary bytes (top level, in a set, in a map). */
const FIRST: Item = {
  ...KEY,
  total: { N: N_38_DIGITS },
  blob: { B: bytes(0, 128, 255, 7, 9) },
  tags: { SS: ['a', 'b'] },
  counts: { NS: ['-0.5', '3'] },
  nested: {
    M: { raw: { BS: [bytes(1, 2), bytes(9)] }, list: { L: [{ S: 'x' }, { N: '1' }, { NULL: true }] } },
  },
  flag: { BOOL: true },
};
const SECOND: Item = {
  ...FIRST,
  total: { N: '-98765432109876543210987654321098765432' },
  flag: { BOOL: false },
};

interface StreamSide {
  account: LocalAccount;
  client: DynamoDBClient;
  streamArn: string;
}

/** A fresh account with a table streaming NEW_AND_OLD_IMAGES. */
async function streamingTable(): Promise<StreamSide> {
  const account = newAccount(endpoint);
  const client = accountClient(account);
  cleanups.push(() => client.destroy());
  const table = await createTableAndWait(client, {
    ...hashRangeTable(TABLE, 'S', 'B'),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
  return { account, client, streamArn: table.LatestStreamArn! };
}

/** The table's change source, opened as a run opens a source; `via` an endpoint such as a proxy. */
async function openChanges(
  side: StreamSide,
  via = endpoint,
): Promise<{ changes: DynamoDbChangeSource; retries: RetryReason[] }> {
  const retries: RetryReason[] = [];
  const source = await openSource(
    { store: 'dynamodb', side: 'source', config: localSideConfig(side.account, TABLE, via), maxSockets: 4 },
    { onRetry: (reason) => retries.push(reason) },
  );
  cleanups.push(() => source.close());
  const changes = source.changes(side.streamArn);
  // One reader per stream and source.
  expect(source.changes(side.streamArn)).toBe(changes);
  return { changes, retries };
}

async function proxyTo(): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ upstream: endpoint });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Insert, modify, remove of one item. */
async function writeThreeChanges(client: DynamoDBClient): Promise<void> {
  await client.send(new PutItemCommand({ TableName: TABLE, Item: FIRST as never }));
  await client.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET #t = :t, flag = :f',
      ExpressionAttributeNames: { '#t': 'total' },
      ExpressionAttributeValues: { ':t': SECOND.total as never, ':f': { BOOL: false } },
    }),
  );
  await client.send(new DeleteItemCommand({ TableName: TABLE, Key: KEY }));
}

/** Reads pages until `count` records came (an empty page on an open shard is not its end). */
async function readRecords(
  changes: DynamoDbChangeSource,
  iterator: string,
  count: number,
): Promise<ChangeRecord[]> {
  const records: ChangeRecord[] = [];
  let next: string | undefined = iterator;
  for (let page = 0; page < 20 && next && records.length < count; page++) {
    const out = await changes.readChanges(next);
    records.push(...out.records);
    next = out.next;
  }
  return records;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

async function onlyShard(changes: DynamoDbChangeSource): Promise<string> {
  const { shards } = await changes.describeStream();
  expect(shards).toHaveLength(1);
  return shards[0]!.shardId;
}

describe('DynamoDbChangeSource against DynamoDB Local', () => {
  it('describes a fresh stream: ENABLED, its view type, one open shard without a parent', async () => {
    const side = await streamingTable();
    const { changes } = await openChanges(side);
    const description = await changes.describeStream();
    expect(description).toEqual({
      streamArn: side.streamArn,
      status: 'ENABLED',
      viewType: 'NEW_AND_OLD_IMAGES',
      shards: [{ shardId: expect.stringMatching(/^shardId-/), startingSequenceNumber: expect.any(String) }],
    });
    const shard = description.shards[0]!;
    expect(shard.startingSequenceNumber).toMatch(/^\d{21,40}$/);
    expect(Object.keys(shard).sort()).toEqual(['shardId', 'startingSequenceNumber']);
  });

  it('reads INSERT, MODIFY, REMOVE in order with exact keys and images (38-digit numbers, bytes)', async () => {
    const side = await streamingTable();
    await writeThreeChanges(side.client);
    const { changes } = await openChanges(side);
    const shardId = await onlyShard(changes);
    const before = Date.now();
    const records = await readRecords(
      changes,
      await changes.shardIterator(shardId, { at: 'trim-horizon' }),
      3,
    );

    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const keysOnly = { pk: KEY.pk, sk: { B: expect.any(Uint8Array) } };
    expect(records[0]).toEqual({
      eventName: 'INSERT',
      sequenceNumber: expect.any(String),
      createdAt: expect.any(Number),
      keys: keysOnly,
      newImage: FIRST,
    });
    expect(records[1]).toEqual({
      eventName: 'MODIFY',
      sequenceNumber: expect.any(String),
      createdAt: expect.any(Number),
      keys: keysOnly,
      newImage: SECOND,
      oldImage: FIRST,
    });
    expect(records[2]).toEqual({
      eventName: 'REMOVE',
      sequenceNumber: expect.any(String),
      createdAt: expect.any(Number),
      keys: keysOnly,
      oldImage: SECOND,
    });
    for (const record of records) {
      // Exactly as DynamoDB holds them: bytes stay bytes, numbers stay text, nothing is unmarshalled.
      expect(Buffer.from(record.keys.sk!.B as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(record).not.toHaveProperty('byTtl');
      expect(record.sequenceNumber).toMatch(/^\d{21,40}$/);
      // DynamoDB Local rounds the creation time down to the minute.
      expect(record.createdAt).toBeLessThanOrEqual(before);
      expect(record.createdAt).toBeGreaterThan(before - 5 * 60_000);
    }
    expect(records[0]!.newImage!.total).toEqual({ N: N_38_DIGITS });
    expect(records[0]!.newImage!.blob!.B).toBeInstanceOf(Uint8Array);
    expect([...(records[0]!.newImage!.blob!.B as Uint8Array)]).toEqual([0, 128, 255, 7, 9]);
    const [a, b, c] = records.map((record) => record.sequenceNumber) as [string, string, string];
    expect(compareSequenceNumbers(a, b)).toBe(-1);
    expect(compareSequenceNumbers(b, c)).toBe(-1);
  });

  it('opens AFTER a sequence number (resumes after it) and AT one (includes it)', async () => {
    const side = await streamingTable();
    await writeThreeChanges(side.client);
    const { changes } = await openChanges(side);
    const shardId = await onlyShard(changes);
    const all = await readRecords(changes, await changes.shardIterator(shardId, { at: 'trim-horizon' }), 3);
    expect(all).toHaveLength(3);
    const [first, second, third] = all as [ChangeRecord, ChangeRecord, ChangeRecord];

    const after = await readRecords(
      changes,
      await changes.shardIterator(shardId, { at: 'after', sequenceNumber: first.sequenceNumber }),
      2,
    );
    expect(after.map((record) => record.sequenceNumber)).toEqual([
      second.sequenceNumber,
      third.sequenceNumber,
    ]);
    expect(after).toEqual([second, third]);

    const at = await readRecords(
      changes,
      await changes.shardIterator(shardId, { at: 'sequence', sequenceNumber: third.sequenceNumber }),
      1,
    );
    expect(at).toEqual([third]);
  });

  it('an iterator the proxy expires gives StreamIteratorExpiredError, not retried; a new read works', async () => {
    const side = await streamingTable();
    await writeThreeChanges(side.client);
    const proxy = await proxyTo();
    const { changes, retries } = await openChanges(side, proxy.endpoint);
    const iterator = await changes.shardIterator(await onlyShard(changes), { at: 'trim-horizon' });
    proxy.reset();
    proxy.expireIterators(1);

    const error = await failure(changes.readChanges(iterator));
    expect(error).toBeInstanceOf(StreamIteratorExpiredError);
    expect(error).toMatchObject({ code: 'STREAM_ITERATOR_EXPIRED', side: 'source', exitCode: 1 });
    expect(proxy.counts()).toMatchObject({ expiredIterators: 1, requests: { GetRecords: 1 } });
    expect(retries).toEqual([]);

    // One-shot: the same iterator reads next time (the proxy expired it; Local never did).
    expect((await readRecords(changes, iterator, 3)).map((r) => r.eventName)).toEqual([
      'INSERT',
      'MODIFY',
      'REMOVE',
    ]);
    expect(proxy.counts()).toMatchObject({ expiredIterators: 1 });
  });

  it('GetRecords answered LimitExceededException is retried and counted as throttling', async () => {
    const side = await streamingTable();
    await writeThreeChanges(side.client);
    const proxy = await proxyTo();
    const { changes, retries } = await openChanges(side, proxy.endpoint);
    const iterator = await changes.shardIterator(await onlyShard(changes), { at: 'trim-horizon' });
    proxy.reset();

    // Three in a row, then through.
    proxy.limitExceeded('GetRecords', 3);
    const page = await changes.readChanges(iterator);
    expect(page.records).toHaveLength(3);
    expect(retries).toEqual(['throttled', 'throttled', 'throttled']);
    expect(proxy.counts().requests).toEqual({ GetRecords: 4 });

    // Random throttling of the streams operations a test opts in to: every one retried, each counted.
    retries.length = 0;
    proxy.reset();
    proxy.configure({ seed: 11, throttleRate: 0.5, onlyOperations: ['GetRecords', 'GetShardIterator'] });
    for (let i = 0; i < 10; i++) {
      const again = await changes.shardIterator(await onlyShard(changes), { at: 'trim-horizon' });
      expect((await changes.readChanges(again)).records).toHaveLength(3);
    }
    const counts = proxy.counts();
    expect(counts.throttled).toBeGreaterThan(0);
    expect(retries).toEqual(Array(counts.throttled).fill('throttled'));
    expect(counts.requests.GetRecords! + counts.requests.GetShardIterator!).toBe(20 + counts.throttled);
    // DescribeStream was not opted in: never faulted.
    expect(counts.requests.DescribeStream).toBe(10);
  });

  it('a shard or stream that does not exist is a StreamGapError (exit 1) saying the copy must be redone', async () => {
    const side = await streamingTable();
    const { changes } = await openChanges(side);
    const error = await failure(
      changes.shardIterator('shardId-00000000000000000000-00000000', {
        at: 'after',
        sequenceNumber: `${'0'.repeat(20)}1`,
      }),
    );
    expect(error, String(error)).toBeInstanceOf(StreamGapError);
    expect(error).toMatchObject({ code: 'STREAM_GAP', exitCode: 1, side: 'source' });
    expect((error as StreamGapError).hint).toMatch(/--restart/);

    const source = await openSource({
      store: 'dynamodb',
      side: 'source',
      config: localSideConfig(side.account, TABLE),
      maxSockets: 2,
    });
    cleanups.push(() => source.close());
    const gone = source.changes(`${side.streamArn.replace(/stream\/.*$/, 'stream/')}2000-01-01T00:00:00.000`);
    const described = await failure(gone.describeStream());
    expect(described, String(described)).toBeInstanceOf(StreamGapError);
    expect(described.message).toMatch(/no longer exists/);
  });

  it('getItem reads the item strongly consistently, or undefined', async () => {
    const side = await streamingTable();
    await side.client.send(new PutItemCommand({ TableName: TABLE, Item: FIRST as never }));
    const { changes } = await openChanges(side);
    expect(await changes.getItem(KEY)).toEqual(FIRST);
    // A binary key given as base64 text (as a wire scan carries it) means the same bytes.
    expect(
      await changes.getItem({ pk: KEY.pk, sk: { B: Buffer.from(KEY.sk.B).toString('base64') } }),
    ).toEqual(FIRST);
    expect(await changes.getItem({ pk: { S: 'absent' }, sk: KEY.sk })).toBeUndefined();
  });

  it("the streams client refuses anything but the streams reads before sending (the source's guard)", async () => {
    const side = await streamingTable();
    const proxy = await proxyTo();
    const source = await openSource({
      store: 'dynamodb',
      side: 'source',
      config: localSideConfig(side.account, TABLE, proxy.endpoint),
      maxSockets: 2,
    });
    cleanups.push(() => source.close());
    const client = connectStreams(source.connection);
    cleanups.push(() => client.destroy());
    proxy.reset();
    const error = await failure(
      client.send(new PutItemCommand({ TableName: TABLE, Item: FIRST as never }) as never),
    );
    expect(error, String(error)).toBeInstanceOf(ForbiddenOperationError);
    expect(error.message).toMatch(/Refused to send PutItem to the source side's stream/);
    expect(proxy.counts().requests).toEqual({});
  });
});

describe('DynamoDbSink.writeChanges against DynamoDB Local', () => {
  /** An item with its binary sort key as a plain array of bytes, so items compare whatever the byte type. */
  type Stored = Record<string, { S?: string; N?: string; B?: unknown; BS?: unknown[] }>;
  const asStored = (item: Item | Record<string, unknown>): Stored => {
    const sk = (item as Stored).sk!.B;
    return {
      ...(item as Stored),
      sk: { B: typeof sk === 'string' ? [...Buffer.from(sk, 'base64')] : [...(sk as Uint8Array)] },
    };
  };
  const base = (n: number): Item => ({ pk: { S: `k${n}` }, sk: { B: bytes(n) }, v: { N: String(n) } });

  /** A target table holding k1..k6; `via` an endpoint (a proxy); `onRetry` told of each retry too. */
  async function target(via?: string, onRetry?: (reason: RetryReason) => void) {
    const account = newAccount(endpoint);
    const client = accountClient(account);
    cleanups.push(() => client.destroy());
    await createTableAndWait(client, hashRangeTable(TABLE, 'S', 'B'));
    await putItems(client, TABLE, [1, 2, 3, 4, 5, 6].map(base) as never);
    const retries: RetryReason[] = [];
    const sink = await openSink(
      {
        store: 'dynamodb',
        side: 'target',
        config: localSideConfig(account, TABLE, via ?? endpoint),
        maxSockets: 4,
      },
      {
        onRetry: (reason) => {
          retries.push(reason);
          onRetry?.(reason);
        },
      },
    );
    cleanups.push(() => sink.close());
    const stored = async () =>
      (await scanAll(client, TABLE)).map(asStored).sort((x, y) => x.pk!.S!.localeCompare(y.pk!.S!));
    return { sink, retries, stored };
  }

  it('puts and deletes in one batch: binary as bytes or base64 text, numbers exact', async () => {
    const { sink, stored, retries } = await target();
    const changed: Item = { ...base(1), v: { N: N_38_DIGITS }, blob: { B: bytes(0, 255) } };
    const added: Item = { pk: { S: 'k7' }, sk: { B: Buffer.from([7]).toString('base64') }, v: { N: '-0.5' } };
    const changes: ChangeWrite[] = [
      { put: changed },
      { delete: { pk: { S: 'k2' }, sk: { B: bytes(2) } } },
      { delete: { pk: { S: 'k3' }, sk: { B: Buffer.from([3]).toString('base64') } } },
      { put: added },
      // Deleting an item that is not there is no error.
      { delete: { pk: { S: 'k9' }, sk: { B: bytes(9) } } },
    ];
    const result = await sink.writeChanges(changes);
    expect(result.throttled).toBe(false);
    expect(result.consumedWrite).toBeGreaterThan(0);
    expect(retries).toEqual([]);
    expect(await stored()).toEqual([
      { ...asStored(changed), blob: { B: expect.any(Uint8Array) } },
      asStored(base(4)),
      asStored(base(5)),
      asStored(base(6)),
      asStored(added),
    ]);
    const k1 = (await stored())[0]!;
    expect([...(k1.blob!.B as Uint8Array)]).toEqual([0, 255]);
  });

  it('sends unprocessed deletes and puts again, exactly those, until all are applied', async () => {
    const proxy = await proxyTo();
    // The first answer leaves a random non-empty part unprocessed; the resend goes through.
    const { sink, stored, retries } = await target(proxy.endpoint, (reason) => {
      if (reason === 'unprocessedItems') proxy.configure({ partialBatchRate: 0 });
    });
    proxy.configure({ seed: 5, partialBatchRate: 1, onlyOperations: ['BatchWriteItem'] });
    const deletesOnly: ChangeWrite[] = [1, 2, 3].map((n) => ({
      delete: { pk: { S: `k${n}` }, sk: { B: bytes(n) } },
    }));

    const first = await sink.writeChanges(deletesOnly);
    expect(first.throttled).toBe(true);
    expect(retries).toEqual(['unprocessedItems']);
    let counts = proxy.counts();
    expect(counts.partialBatches).toBe(1);
    expect(counts.unprocessedItemsReturned).toBeGreaterThanOrEqual(1);
    expect(counts.requests.BatchWriteItem).toBe(2);
    expect((await stored()).map((item) => item.pk!.S)).toEqual(['k4', 'k5', 'k6']);

    // Mixed, again with a partial first answer.
    retries.length = 0;
    proxy.reset();
    proxy.configure({ partialBatchRate: 1 });
    const put = { ...base(8), extra: { BS: [bytes(1), bytes(2, 3)] } };
    const mixed: ChangeWrite[] = [
      { delete: { pk: { S: 'k4' }, sk: { B: bytes(4) } } },
      { put },
      { delete: { pk: { S: 'k5' }, sk: { B: bytes(5) } } },
      { put: { ...base(6), v: { N: '66' } } },
    ];
    const second = await sink.writeChanges(mixed);
    expect(second.throttled).toBe(true);
    expect(retries).toEqual(['unprocessedItems']);
    counts = proxy.counts();
    expect(counts.partialBatches).toBe(1);
    expect(counts.requests.BatchWriteItem).toBe(2);
    const after = await stored();
    expect(after.map((item) => item.pk!.S)).toEqual(['k6', 'k8']);
    expect(after[0]).toEqual(asStored({ ...base(6), v: { N: '66' } }));
    expect(after[1]!.extra!.BS!.map((b) => [...(b as Uint8Array)])).toEqual([[1], [2, 3]]);
  });
});

/** One request a scripted endpoint received: where it went, its operation and its JSON body. */
interface Received {
  path: string;
  operation: string;
  body: Record<string, unknown>;
}

/**
 * A Streams endpoint answering from a script: each operation's answers in order (status and JSON),
 * for what DynamoDB Local cannot show (several DescribeStream pages, TTL deletes, trimmed data).
 */
async function scriptedStreams(script: Record<string, { status?: number; json: unknown }[]>) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).replace('DynamoDBStreams_20120810.', '');
      received.push({
        path: request.url ?? '',
        operation,
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      const answer = script[operation]?.shift() ?? { status: 500, json: { __type: 'InternalFailure' } };
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  cleanups.push(() => server.closeAllConnections());
  const at = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const account = newAccount(endpoint);
  const open = async (path = '') => {
    const source = await openSource({
      store: 'dynamodb',
      side: 'source',
      config: localSideConfig(account, TABLE, `${at}${path}`),
      maxSockets: 2,
    });
    cleanups.push(() => source.close());
    return source.changes(SCRIPTED_ARN);
  };
  return { at, received, open };
}

const SCRIPTED_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000';
const SEQ = (n: number) => String(n).padStart(21, '0');
const TRIMMED = {
  status: 400,
  json: {
    __type: 'com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException',
    message: 'The operation attempted to read past the oldest stream record in a shard.',
  },
};

describe('DynamoDbChangeSource against a scripted Streams endpoint', () => {
  it('joins every DescribeStream page (ExclusiveStartShardId = LastEvaluatedShardId), with lineage', async () => {
    const { received, open } = await scriptedStreams({
      DescribeStream: [
        {
          json: {
            StreamDescription: {
              StreamArn: SCRIPTED_ARN,
              StreamStatus: 'ENABLED',
              StreamViewType: 'NEW_IMAGE',
              Shards: [
                {
                  ShardId: 'shardId-a',
                  SequenceNumberRange: { StartingSequenceNumber: SEQ(1), EndingSequenceNumber: SEQ(5) },
                },
              ],
              LastEvaluatedShardId: 'shardId-a',
            },
          },
        },
        {
          json: {
            StreamDescription: {
              StreamArn: SCRIPTED_ARN,
              StreamStatus: 'ENABLED',
              StreamViewType: 'NEW_IMAGE',
              Shards: [
                {
                  ShardId: 'shardId-b',
                  ParentShardId: 'shardId-a',
                  SequenceNumberRange: { StartingSequenceNumber: SEQ(8) },
                },
                {
                  ShardId: 'shardId-c',
                  ParentShardId: 'shardId-a',
                  SequenceNumberRange: { StartingSequenceNumber: SEQ(9) },
                },
              ],
            },
          },
        },
      ],
    });
    expect(await (await open()).describeStream()).toEqual({
      streamArn: SCRIPTED_ARN,
      status: 'ENABLED',
      viewType: 'NEW_IMAGE',
      shards: [
        { shardId: 'shardId-a', startingSequenceNumber: SEQ(1), endingSequenceNumber: SEQ(5) },
        { shardId: 'shardId-b', parentShardId: 'shardId-a', startingSequenceNumber: SEQ(8) },
        { shardId: 'shardId-c', parentShardId: 'shardId-a', startingSequenceNumber: SEQ(9) },
      ],
    });
    expect(received.map(({ operation, body }) => [operation, body])).toEqual([
      ['DescribeStream', { StreamArn: SCRIPTED_ARN }],
      ['DescribeStream', { StreamArn: SCRIPTED_ARN, ExclusiveStartShardId: 'shardId-a' }],
    ]);
  });

  it('maps a TTL delete (byTtl), base64 binary to bytes, epoch seconds to ms, a null iterator to the end', async () => {
    const record = (n: number, identity?: object) => ({
      eventID: `e${n}`,
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000 + n,
        Keys: { pk: { B: 'AAH/' } },
        OldImage: { pk: { B: 'AAH/' }, n: { N: N_38_DIGITS }, expires: { N: '1699999999' } },
        SequenceNumber: SEQ(n),
        SizeBytes: 40,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      ...(identity ? { userIdentity: identity } : {}),
    });
    const { received, open } = await scriptedStreams({
      GetRecords: [
        {
          json: {
            Records: [
              record(1, { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' }),
              record(2),
              record(3, { PrincipalId: 'someone', Type: 'Service' }),
            ],
            NextShardIterator: null,
          },
        },
      ],
    });
    const page = await (await open()).readChanges('iterator-1');
    expect(received.map(({ operation, body }) => [operation, body])).toEqual([
      ['GetRecords', { ShardIterator: 'iterator-1', Limit: 1000 }],
    ]);
    expect(page.next).toBeUndefined();
    expect(page.records.map((r) => [r.sequenceNumber, r.createdAt, r.byTtl])).toEqual([
      [SEQ(1), 1_700_000_001_000, true],
      [SEQ(2), 1_700_000_002_000, undefined],
      [SEQ(3), 1_700_000_003_000, undefined],
    ]);
    const first = page.records[0]!;
    expect(first.keys.pk!.B).toBeInstanceOf(Uint8Array);
    expect([...(first.keys.pk!.B as Uint8Array)]).toEqual([0, 1, 255]);
    expect(first.oldImage!.n).toEqual({ N: N_38_DIGITS });
    expect(first).not.toHaveProperty('newImage');
  });

  it('trimmed data at a saved position is a StreamGapError telling to copy again; not retried', async () => {
    const { received, open } = await scriptedStreams({ GetShardIterator: [TRIMMED], GetRecords: [TRIMMED] });
    const changes = await open();
    const error = await failure(changes.shardIterator('shardId-a', { at: 'after', sequenceNumber: SEQ(4) }));
    expect(error, String(error)).toBeInstanceOf(StreamGapError);
    expect(error).toMatchObject({ code: 'STREAM_GAP', exitCode: 1, side: 'source' });
    expect(error.message).toContain(`after sequence number ${SEQ(4)} in shard shardId-a`);
    expect(error.message).toMatch(/aged out of the stream's 24-hour retention/);
    expect((error as StreamGapError).hint).toMatch(/must be done again.*without --resume.*--restart/);
    expect(await failure(changes.readChanges('iterator-1'))).toBeInstanceOf(StreamGapError);
    expect(received.map(({ operation, body }) => [operation, body])).toEqual([
      [
        'GetShardIterator',
        {
          StreamArn: SCRIPTED_ARN,
          ShardId: 'shardId-a',
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          SequenceNumber: SEQ(4),
        },
      ],
      ['GetRecords', { ShardIterator: 'iterator-1', Limit: 1000 }],
    ]);
  });

  it('goes to AWS_ENDPOINT_URL_DYNAMODB_STREAMS when it is set, else to the side endpoint', async () => {
    const description = {
      json: { StreamDescription: { StreamStatus: 'ENABLED', StreamViewType: 'KEYS_ONLY', Shards: [] } },
    };
    const { at, received, open } = await scriptedStreams({ DescribeStream: [description, description] });
    expect(await (await open('/side')).describeStream()).toMatchObject({
      status: 'ENABLED',
      viewType: 'KEYS_ONLY',
    });
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS;
    process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = `${at}/env`;
    try {
      await (await open('/side')).describeStream();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = saved;
    }
    expect(received.map((request) => request.path)).toEqual(['/side/', '/env/']);
  });
});
