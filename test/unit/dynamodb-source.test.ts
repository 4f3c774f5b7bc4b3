/**
 * The DynamoDB source's requests and how it reads the answers: each Scan page's fields, the segment's
 * paging to its end, a filter and a projection merged, BatchGetItem's unprocessed keys asked again,
 * and the table's description with its optional settings. The source is opened through the registry,
 * as a run opens it, against a local server that answers with what a test scripts and records each
 * request (test/harness/scripted-dynamodb.ts): DynamoDB Local cannot be made to leave keys
 * unprocessed, to page tags, or to report capacity. Backoff pauses are 0 (Math.random is 0).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryBudgetExhaustedError } from '../../src/errors.js';
import { keyString } from '../../src/model/item-key.js';
import type { DynamoDbSource } from '../../src/stores/dynamodb/source.js';
import { openSource } from '../../src/stores/open.js';
import { type Page, type RetryReason, TextItem, type TextPage } from '../../src/stores/types.js';
import {
  errorAnswer,
  type Script,
  type ScriptedDynamoDb,
  startScriptedDynamoDb,
} from '../harness/scripted-dynamodb.js';

const TABLE = 'orders';

let fake: ScriptedDynamoDb;
let requests: ScriptedDynamoDb['requests'];
let script: Script;

beforeAll(async () => {
  fake = await startScriptedDynamoDb();
  requests = fake.requests;
  fake.script = (operation, body, n) => script(operation, body, n);
});
afterAll(() => fake.close());
let source: DynamoDbSource;
let retries: RetryReason[];
beforeEach(async () => {
  requests.length = 0;
  retries = [];
  vi.spyOn(Math, 'random').mockReturnValue(0);
  source = await openSource(
    {
      store: 'dynamodb',
      side: 'source',
      maxSockets: 2,
      config: {
        table: TABLE,
        region: 'eu-west-1',
        endpointUrl: fake.endpoint,
        credentials: { accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' },
      },
    },
    { onRetry: (reason) => retries.push(reason) },
  );
});
afterEach(() => {
  source.close();
  vi.restoreAllMocks();
});

const unknownOperation = errorAnswer('UnknownOperationException', 'unknown');

async function pages(options: Parameters<DynamoDbSource['scan']>[0]): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of source.scan(options)) out.push(page);
  return out;
}

describe('DynamoDbSource.scan', () => {
  it('pages a segment to its end, each request starting after the last key, with its counts', async () => {
    script = (_, __, n) =>
      n === 0
        ? {
            json: {
              Items: [{ pk: { S: 'a' } }, { pk: { S: 'b' } }],
              ScannedCount: 5,
              LastEvaluatedKey: { pk: { S: 'b' } },
              ConsumedCapacity: { CapacityUnits: 1.5 },
            },
          }
        : { json: { Items: [{ pk: { S: 'c' } }] } };
    const result = await pages({ segment: 2, totalSegments: 4, limit: 100, consistentRead: true });
    expect(result.map((page) => ({ ...page, items: page.items.map((item) => item.pk?.S) }))).toEqual([
      { items: ['a', 'b'], scanned: 5, lastKey: { pk: { S: 'b' } }, consumedRead: 1.5 },
      { items: ['c'], scanned: 1, lastKey: undefined, consumedRead: 0 },
    ]);
    expect(requests.map((r) => r.body)).toEqual([
      {
        TableName: TABLE,
        Segment: 2,
        TotalSegments: 4,
        Limit: 100,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      },
      {
        TableName: TABLE,
        Segment: 2,
        TotalSegments: 4,
        ExclusiveStartKey: { pk: { S: 'b' } },
        Limit: 100,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      },
    ]);
  });

  it('starts at a resumed position, and reads an empty page as no items', async () => {
    script = () => ({ json: {} });
    const result = await pages({ segment: 0, totalSegments: 1, startKey: { pk: { S: 'm' } } });
    expect(result).toEqual([{ items: [], scanned: 0, lastKey: undefined, consumedRead: 0 }]);
    expect(requests[0]!.body.ExclusiveStartKey).toEqual({ pk: { S: 'm' } });
  });

  it('sends a filter with its placeholders, and a projection whose placeholders cannot meet them', async () => {
    script = () => ({ json: { Items: [] } });
    await pages({
      segment: 0,
      totalSegments: 1,
      filter: { expression: '#s = :v', names: { '#s': 'status' }, values: { ':v': { S: 'on' } } },
      attributes: ['pk', 'status'],
    });
    expect(requests[0]!.body).toMatchObject({
      FilterExpression: '#s = :v',
      ExpressionAttributeValues: { ':v': { S: 'on' } },
      ProjectionExpression: '#ddbcopyP0, #ddbcopyP1',
      ExpressionAttributeNames: { '#s': 'status', '#ddbcopyP0': 'pk', '#ddbcopyP1': 'status' },
    });
  });

  it('leaves out empty placeholder maps, and sends a projection alone', async () => {
    script = () => ({ json: { Items: [] } });
    await pages({
      segment: 0,
      totalSegments: 1,
      filter: { expression: 'attribute_exists(x)', names: {}, values: {} },
    });
    expect(requests[0]!.body.FilterExpression).toBe('attribute_exists(x)');
    expect(requests[0]!.body).not.toHaveProperty('ExpressionAttributeNames');
    expect(requests[0]!.body).not.toHaveProperty('ExpressionAttributeValues');
    await pages({ segment: 0, totalSegments: 1, attributes: ['pk'] });
    expect(requests[1]!.body).not.toHaveProperty('FilterExpression');
    expect(requests[1]!.body).toMatchObject({
      ProjectionExpression: '#ddbcopyP0',
      ExpressionAttributeNames: { '#ddbcopyP0': 'pk' },
    });
    await pages({ segment: 0, totalSegments: 1, attributes: [] });
    expect(requests[2]!.body).not.toHaveProperty('ProjectionExpression');
  });

  it('checkScanAllowed reads one item', async () => {
    script = () => ({ json: { Items: [] } });
    await source.checkScanAllowed();
    expect(requests).toEqual([{ operation: 'Scan', body: { TableName: TABLE, Limit: 1 } }]);
  });
});

describe('DynamoDbSource.scanText', () => {
  it('pages a segment as text items with their keys; a page the text walk declines comes as items', async () => {
    script = (_, __, n) =>
      n === 0
        ? {
            json: {
              Items: [{ pk: { S: 'é' }, v: { N: '1' } }],
              ScannedCount: 3,
              LastEvaluatedKey: { pk: { S: 'é' } },
              ConsumedCapacity: { CapacityUnits: 0.5 },
            },
          }
        : { json: { Items: [{ pk: { S: 'b' }, v: { X: '1' } }] } };
    const out: (Page | TextPage)[] = [];
    const options = { segment: 1, totalSegments: 2, limit: 10, consistentRead: false };
    for await (const page of source.scanText(options, ['pk'])) out.push(page);
    // The first answer is not ASCII: decoded as UTF-8 (é is 2 bytes: the text is 30 characters, 31 bytes).
    const text = '{"pk":{"S":"é"},"v":{"N":"1"}}';
    expect(out[0]).toEqual({
      texts: [new TextItem(text, 31, 2 + 2 + 1 + 2, '[{"S":"é"}]')],
      scanned: 3,
      lastKey: { pk: { S: 'é' } },
      consumedRead: 0.5,
    });
    expect('texts' in out[1]!).toBe(false);
    const declined = out[1] as Page;
    expect(declined.items.map((item) => ({ ...item }))).toEqual([{ pk: { S: 'b' }, v: { X: '1' } }]);
    expect({ ...declined, items: [] }).toEqual({
      items: [],
      scanned: 1,
      lastKey: undefined,
      consumedRead: 0,
    });
    expect(requests.map((r) => r.body.ExclusiveStartKey)).toEqual([undefined, { pk: { S: 'é' } }]);
  });
});

describe('DynamoDbSource.keysExisting', () => {
  const key = (s: string) => ({ pk: { S: s } });

  it('asks nothing for no keys', async () => {
    script = () => {
      throw new Error('no request expected');
    };
    expect(await source.keysExisting([], ['pk'])).toEqual({ existing: new Set(), consumedRead: 0 });
    expect(requests).toEqual([]);
  });

  it('reads the keys strongly consistently, key attributes only, and asks unprocessed ones again', async () => {
    script = (_, __, n) =>
      n === 0
        ? {
            json: {
              Responses: { [TABLE]: [key('a')] },
              UnprocessedKeys: { [TABLE]: { Keys: [key('b'), key('c')] } },
              ConsumedCapacity: [{ CapacityUnits: 1 }, {}],
            },
          }
        : { json: { Responses: { [TABLE]: [key('c')] }, ConsumedCapacity: [{ CapacityUnits: 0.5 }] } };
    const result = await source.keysExisting([key('a'), key('b'), key('c')], ['pk']);
    expect(result.existing).toEqual(new Set([keyString(key('a'), ['pk']), keyString(key('c'), ['pk'])]));
    expect(result.consumedRead).toBe(1.5);
    expect(requests.map((r) => r.body)).toEqual([
      {
        RequestItems: {
          [TABLE]: {
            Keys: [key('a'), key('b'), key('c')],
            ConsistentRead: true,
            ProjectionExpression: '#ddbcopyP0',
            ExpressionAttributeNames: { '#ddbcopyP0': 'pk' },
          },
        },
        ReturnConsumedCapacity: 'TOTAL',
      },
      {
        RequestItems: {
          [TABLE]: {
            Keys: [key('b'), key('c')],
            ConsistentRead: true,
            ProjectionExpression: '#ddbcopyP0',
            ExpressionAttributeNames: { '#ddbcopyP0': 'pk' },
          },
        },
        ReturnConsumedCapacity: 'TOTAL',
      },
    ]);
    expect(retries).toEqual(['unprocessedItems']);
  });

  it('gives up with RetryBudgetExhaustedError when keys stay unprocessed, saying nothing was deleted', async () => {
    script = () => ({ json: { UnprocessedKeys: { [TABLE]: { Keys: [key('a')] } } } });
    const error = await source.keysExisting([key('a')], ['pk']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryBudgetExhaustedError);
    expect((error as RetryBudgetExhaustedError).message).toMatch(
      /^1 key\(s\) stayed unprocessed by BatchGetItem on the source table 'orders' after \d+ attempts\.$/,
    );
    expect((error as RetryBudgetExhaustedError).side).toBe('source');
    expect((error as RetryBudgetExhaustedError).hint).toContain('Nothing was deleted for them.');
    expect(requests.length).toBeGreaterThan(2);
  });

  it('keeps asking while each answer makes progress, past the budget of attempts without it', async () => {
    // More rounds than DATA_RETRY_POLICY's 30 attempts: only the progress made each round keeps it going.
    const all = Array.from({ length: 40 }, (_, i) => key(`k${i}`));
    // Each answer processes one key and leaves the rest: never stuck, so never out of budget.
    script = (_, body) => {
      const asked = (body.RequestItems as Record<string, { Keys: { pk: { S: string } }[] }>)[TABLE]!.Keys;
      return {
        json: {
          Responses: { [TABLE]: asked.slice(0, 1) },
          UnprocessedKeys: asked.length > 1 ? { [TABLE]: { Keys: asked.slice(1) } } : {},
        },
      };
    };
    const result = await source.keysExisting(all, ['pk']);
    expect(result.existing.size).toBe(40);
  });
});

describe('DynamoDbSource without a retry listener', () => {
  it('asks unprocessed keys again all the same', async () => {
    const quiet = await openSource({
      store: 'dynamodb',
      side: 'source',
      maxSockets: 1,
      config: {
        table: TABLE,
        region: 'eu-west-1',
        endpointUrl: fake.endpoint,
        credentials: { accessKeyId: 'AKIDSOURCE', secretAccessKey: 'source-secret' },
      },
    });
    try {
      script = (_, __, n) =>
        n === 0
          ? { json: { UnprocessedKeys: { [TABLE]: { Keys: [{ pk: { S: 'a' } }] } } } }
          : { json: { Responses: { [TABLE]: [{ pk: { S: 'a' } }] } } };
      expect((await quiet.keysExisting([{ pk: { S: 'a' } }], ['pk'])).existing.size).toBe(1);
    } finally {
      quiet.close();
    }
  });

  it('declares what it can do', () => {
    expect(source.capabilities).toEqual({
      parallelScan: true,
      schema: true,
      consistentRead: true,
      validItems: true,
      filter: true,
    });
  });
});

describe('DynamoDbSource.describe', () => {
  const table = { TableName: TABLE, TableArn: `arn:aws:dynamodb:eu-west-1:111111111111:table/${TABLE}` };

  it('reads the table, its TTL, its backups and every page of its tags', async () => {
    script = (operation, _, n) => {
      if (operation === 'DescribeTable') return { json: { Table: table } };
      if (operation === 'DescribeTimeToLive')
        return { json: { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' } } };
      if (operation === 'DescribeContinuousBackups')
        return { json: { ContinuousBackupsDescription: { ContinuousBackupsStatus: 'ENABLED' } } };
      if (operation === 'ListTagsOfResource')
        return n === 0
          ? { json: { Tags: [{ Key: 'a', Value: '1' }], NextToken: 't1' } }
          : { json: { Tags: [{ Key: 'b', Value: '2' }] } };
      return unknownOperation;
    };
    const snapshot = await source.describe();
    expect(snapshot.table).toMatchObject(table);
    expect(snapshot.timeToLive).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
    expect(snapshot.continuousBackups).toEqual({ ContinuousBackupsStatus: 'ENABLED' });
    expect(snapshot.tags).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
    const tagRequests = requests.filter((r) => r.operation === 'ListTagsOfResource').map((r) => r.body);
    expect(tagRequests).toEqual([
      { ResourceArn: table.TableArn },
      { ResourceArn: table.TableArn, NextToken: 't1' },
    ]);
    for (const operation of ['DescribeTable', 'DescribeTimeToLive', 'DescribeContinuousBackups']) {
      expect(requests.find((r) => r.operation === operation)?.body, operation).toEqual({ TableName: TABLE });
    }
  });

  it('reads missing settings as disabled, and settings the endpoint lacks as unsupported', async () => {
    script = (operation) => {
      if (operation === 'DescribeTable') return { json: { Table: table } };
      if (operation === 'DescribeTimeToLive' || operation === 'DescribeContinuousBackups')
        return { json: {} };
      return unknownOperation;
    };
    const snapshot = await source.describe();
    expect(snapshot.timeToLive).toEqual({ TimeToLiveStatus: 'DISABLED' });
    expect(snapshot.continuousBackups).toEqual({ ContinuousBackupsStatus: 'DISABLED' });
    expect(snapshot.tags).toBe('unsupported');
  });

  it('asks nothing about the settings it is told to skip, nor tags of a table without an ARN', async () => {
    script = (operation) => (operation === 'DescribeTable' ? { json: { Table: table } } : unknownOperation);
    const snapshot = await source.describe(new Set(['ttl', 'pitr', 'tags']));
    expect(snapshot).toMatchObject({
      timeToLive: 'unsupported',
      continuousBackups: 'unsupported',
      tags: 'unsupported',
    });
    expect(requests.map((r) => r.operation)).toEqual(['DescribeTable']);
    requests.length = 0;
    script = (operation) => {
      if (operation === 'DescribeTable') return { json: { Table: { TableName: TABLE } } };
      return { json: {} };
    };
    expect((await source.describe()).tags).toBe('unsupported');
    expect(requests.map((r) => r.operation)).not.toContain('ListTagsOfResource');
  });

  it.each(['DescribeTable', 'DescribeTimeToLive', 'DescribeContinuousBackups', 'ListTagsOfResource'])(
    'names the IAM action a denied %s needs',
    async (denied) => {
      script = (operation) => {
        if (operation === denied) return errorAnswer('AccessDeniedException', 'denied');
        if (operation === 'DescribeTable') return { json: { Table: table } };
        return { json: {} };
      };
      await expect(source.describe()).rejects.toThrow(`needs the IAM permission 'dynamodb:${denied}'`);
    },
  );

  it('reads a tag list without tags as none', async () => {
    script = (operation) => (operation === 'DescribeTable' ? { json: { Table: table } } : { json: {} });
    expect((await source.describe()).tags).toEqual([]);
  });

  it('fails on an error that is not a missing operation', async () => {
    script = (operation) =>
      operation === 'DescribeTable'
        ? { json: { Table: table } }
        : {
            status: 400,
            json: { __type: 'com.amazon.coral.service#AccessDeniedException', message: 'denied' },
          };
    await expect(source.describe()).rejects.toThrow(/denied/);
  });
});

describe('DynamoDbSource.changes', () => {
  it('gives one reader per stream, and a new one after close', () => {
    const arn = `arn:aws:dynamodb:eu-west-1:111111111111:table/${TABLE}/stream/2026`;
    const first = source.changes(arn);
    expect(source.changes(arn)).toBe(first);
    expect(source.changes(`${arn}x`)).not.toBe(first);
  });
});
