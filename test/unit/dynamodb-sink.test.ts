/**
 * The DynamoDB sink's control plane and the parts of its write loop sink-write-batch.test.ts does not
 * reach: describing, deleting and creating the target (waiting for it to go or to become ACTIVE with
 * its indexes), the late settings, table operations that queue behind the account's limit, and the
 * follow's mixed puts and deletes. The sink is opened through the registry against a local server that
 * answers what each test scripts (test/harness/scripted-dynamodb.ts): DynamoDB Local cannot be made to
 * answer LimitExceededException, to leave writes unprocessed or to keep a table CREATING. Backoff
 * pauses are 0 (Math.random is 0); waiting for a table's state polls every 250 ms or more.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryBudgetExhaustedError } from '../../src/errors.js';
import type { DynamoDbSink } from '../../src/stores/dynamodb/sink.js';
import { openSink } from '../../src/stores/open.js';
import { type RetryReason, TextItem } from '../../src/stores/types.js';
import {
  errorAnswer,
  type Script,
  type ScriptedDynamoDb,
  startScriptedDynamoDb,
} from '../harness/scripted-dynamodb.js';

const TABLE = 'orders';
const ARN = `arn:aws:dynamodb:us-east-1:111111111111:table/${TABLE}`;

let fake: ScriptedDynamoDb;
let script: Script;
beforeAll(async () => {
  fake = await startScriptedDynamoDb();
  fake.script = (operation, body, n) => script(operation, body, n);
});
afterAll(() => fake.close());

let sink: DynamoDbSink;
let retries: RetryReason[];

async function open(withRetries = true): Promise<DynamoDbSink> {
  return openSink(
    {
      store: 'dynamodb',
      side: 'target',
      maxSockets: 2,
      config: {
        table: TABLE,
        region: 'us-east-1',
        endpointUrl: fake.endpoint,
        credentials: { accessKeyId: 'AKIDSINK', secretAccessKey: 'sink-secret' },
      },
    },
    withRetries ? { onRetry: (reason) => retries.push(reason) } : {},
  );
}

beforeEach(async () => {
  fake.requests.length = 0;
  retries = [];
  vi.spyOn(Math, 'random').mockReturnValue(0);
  sink = await open();
});
afterEach(() => {
  sink.close();
  vi.restoreAllMocks();
});

const operations = (): string[] => fake.requests.map((r) => r.operation);
const notFound = errorAnswer('ResourceNotFoundException', 'Requested resource not found');
const active = { TableName: TABLE, TableArn: ARN, TableStatus: 'ACTIVE' };

describe('DynamoDbSink control plane', () => {
  it('declares what it can do', () => {
    expect(sink.capabilities).toEqual({
      parallelScan: true,
      schema: true,
      consistentRead: true,
      validItems: true,
    });
  });

  it('describes the table, undefined when there is none, and fails on anything else', async () => {
    script = () => ({ json: { Table: active } });
    expect(await sink.describe()).toEqual(active);
    expect(fake.requests[0]!.body).toEqual({ TableName: TABLE });
    script = () => notFound;
    expect(await sink.describe()).toBeUndefined();
    script = () => errorAnswer('ValidationException', 'bad');
    await expect(sink.describe()).rejects.toThrow(/bad/);
  });

  it('deletes the table and waits until it is gone, telling when the deletion was accepted', async () => {
    script = (operation, _, n) => {
      if (operation === 'DeleteTable') return { json: { TableDescription: active } };
      return n === 0 ? { json: { Table: { ...active, TableStatus: 'DELETING' } } } : notFound;
    };
    const accepted = vi.fn();
    await sink.deleteTable(undefined, accepted);
    expect(accepted).toHaveBeenCalledTimes(1);
    expect(operations()).toEqual(['DeleteTable', 'DescribeTable', 'DescribeTable']);
    expect(fake.requests[0]!.body).toEqual({ TableName: TABLE });
  });

  it('takes a table already gone as deleted', async () => {
    script = () => notFound;
    const accepted = vi.fn();
    await sink.deleteTable(undefined, accepted);
    expect(accepted).not.toHaveBeenCalled();
    expect(operations()).toEqual(['DeleteTable', 'DescribeTable']);
  });

  it('fails a deletion DynamoDB refuses', async () => {
    // The table is gone by the time anyone looks: only the refusal itself can fail the deletion.
    script = (operation) =>
      operation === 'DeleteTable' ? errorAnswer('ResourceInUseException', 'in use') : notFound;
    await expect(sink.deleteTable()).rejects.toThrow(/in use/);
  });

  it('creates the table and waits until it and every index are ACTIVE', async () => {
    // Right after CreateTable, DescribeTable may not know the table yet (eventual consistency).
    const states = [
      undefined,
      { ...active, TableStatus: 'CREATING' },
      {
        ...active,
        GlobalSecondaryIndexes: [{ IndexName: 'g', IndexStatus: 'CREATING' }, { IndexName: 'h' }],
      },
      { ...active, GlobalSecondaryIndexes: [{ IndexName: 'g', IndexStatus: 'ACTIVE' }, { IndexName: 'h' }] },
    ];
    script = (operation, _, n) => {
      if (operation === 'CreateTable') return { json: { TableDescription: states[1] } };
      return states[n] ? { json: { Table: states[n] } } : notFound;
    };
    const created = await sink.createTable({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(created).toEqual(states[3]);
    expect(operations()).toEqual([
      'CreateTable',
      'DescribeTable',
      'DescribeTable',
      'DescribeTable',
      'DescribeTable',
    ]);
    expect(fake.requests[0]!.body).toMatchObject({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' });
  });

  it.each([
    ['CreateTable', (s: DynamoDbSink) => s.createTable({ TableName: TABLE })],
    ['DeleteTable', (s: DynamoDbSink) => s.deleteTable()],
    ['UpdateTimeToLive', (s: DynamoDbSink) => s.applySetting({ kind: 'ttl', attributeName: 'exp' })],
    ['UpdateContinuousBackups', (s: DynamoDbSink) => s.applySetting({ kind: 'pitr' })],
  ] as const)(
    'waits out LimitExceededException on %s longer than a describe would',
    async (operation, run) => {
      // More refusals than the control plane's 6 attempts: only the table operations' policy rides them out.
      script = (op, _, n) => {
        if (op === operation) return n < 8 ? errorAnswer('LimitExceededException', 'too many') : { json: {} };
        return op === 'DescribeTable' && operation === 'DeleteTable' ? notFound : { json: { Table: active } };
      };
      await run(sink);
      expect(operations().filter((op) => op === operation)).toHaveLength(9);
    },
  );

  it('applies TTL, point-in-time recovery (with its period when given) and tags', async () => {
    script = (operation) => (operation === 'DescribeTable' ? { json: { Table: active } } : { json: {} });
    expect(await sink.applySetting({ kind: 'ttl', attributeName: 'exp' })).toBe('applied');
    expect(await sink.applySetting({ kind: 'pitr' })).toBe('applied');
    expect(await sink.applySetting({ kind: 'pitr', recoveryPeriodInDays: 7 })).toBe('applied');
    expect(await sink.applySetting({ kind: 'tags', tags: [{ Key: 'team', Value: 'a' }] })).toBe('applied');
    expect(fake.requests.map((r) => [r.operation, r.body])).toEqual([
      [
        'UpdateTimeToLive',
        { TableName: TABLE, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } },
      ],
      [
        'UpdateContinuousBackups',
        { TableName: TABLE, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } },
      ],
      [
        'UpdateContinuousBackups',
        {
          TableName: TABLE,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
        },
      ],
      ['DescribeTable', { TableName: TABLE }],
      ['TagResource', { ResourceArn: ARN, Tags: [{ Key: 'team', Value: 'a' }] }],
    ]);
  });

  it.each([
    ['DescribeTable', (s: DynamoDbSink) => s.describe()],
    ['TagResource', (s: DynamoDbSink) => s.applySetting({ kind: 'tags', tags: [] })],
  ] as const)('names the IAM action a denied %s needs', async (denied, run) => {
    script = (operation) => {
      if (operation === denied) return errorAnswer('AccessDeniedException', 'denied');
      return { json: { Table: active } };
    };
    await expect(run(sink)).rejects.toThrow(`needs the IAM permission 'dynamodb:${denied}'`);
  });

  it('reports a setting the endpoint lacks as unsupported, and fails on other errors', async () => {
    script = () => errorAnswer('UnknownOperationException', 'unknown');
    expect(await sink.applySetting({ kind: 'ttl', attributeName: 'exp' })).toBe('unsupported');
    script = () => errorAnswer('ValidationException', 'bad period');
    await expect(sink.applySetting({ kind: 'pitr', recoveryPeriodInDays: 40 })).rejects.toThrow(/bad period/);
  });
});

describe('DynamoDbSink writes', () => {
  const put = (pk: string) => ({ pk: { S: pk } });

  it('retries throttling and unprocessed items without a retry listener', async () => {
    sink.close();
    sink = await open(false);
    script = (_, body, n) => {
      const requests = (body.RequestItems as Record<string, unknown[]>)[TABLE]!;
      if (n === 0) return errorAnswer('ProvisionedThroughputExceededException', 'slow down');
      return n === 1
        ? { json: { UnprocessedItems: { [TABLE]: requests.slice(1) } } }
        : { json: { ConsumedCapacity: [{ CapacityUnits: 1 }] } };
    };
    const result = await sink.writeBatch([put('a'), put('b')]);
    expect(result).toEqual({ consumedWrite: 1, throttled: true });
  });

  it('writes text items as their texts, and sends unprocessed ones again as DynamoDB returned them', async () => {
    script = (_, body, n) => {
      const requests = (body.RequestItems as Record<string, unknown[]>)[TABLE]!;
      return n === 0
        ? {
            json: {
              UnprocessedItems: { [TABLE]: requests.slice(1) },
              ConsumedCapacity: [{ CapacityUnits: 1 }],
            },
          }
        : { json: { ConsumedCapacity: [{ CapacityUnits: 2 }] } };
    };
    const a = '{"pk":{"S":"a"},"n":{"N":"1.50"}}';
    const b = '{"pk":{"S":"b"},"m":{"M":{"x":{"NULL":true}}}}';
    const texts = [a, b].map((text) => new TextItem(text, text.length, 0, '[]'));
    expect(await sink.writeTexts(texts)).toEqual({ consumedWrite: 3, throttled: true });
    const body = (items: string[]) => ({
      RequestItems: { [TABLE]: items.map((item) => ({ PutRequest: { Item: JSON.parse(item) } })) },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(fake.requests.map((r) => r.body)).toEqual([body([a, b]), body([b])]);
    expect(retries).toEqual(['unprocessedItems']);
  });

  it('sums the capacity of both halves of a batch too large for the endpoint', async () => {
    script = (_, body) => {
      const requests = (body.RequestItems as Record<string, unknown[]>)[TABLE]!;
      if (requests.length > 2) return { status: 413, json: {} };
      return { json: { ConsumedCapacity: [{ CapacityUnits: requests.length }] } };
    };
    const result = await sink.writeBatch(['a', 'b', 'c', 'd'].map(put));
    expect(result.consumedWrite).toBe(4);
  });

  it('writes puts and deletes of a follow, and sends unprocessed ones again exactly so', async () => {
    script = (_, body, n) => {
      const requests = (body.RequestItems as Record<string, unknown[]>)[TABLE]!;
      return n === 0
        ? { json: { UnprocessedItems: { [TABLE]: requests }, ConsumedCapacity: [{ CapacityUnits: 0 }] } }
        : { json: { ConsumedCapacity: [{ CapacityUnits: 2 }] } };
    };
    const result = await sink.writeChanges([{ put: put('a') }, { delete: put('b') }]);
    expect(result).toEqual({ consumedWrite: 2, throttled: true });
    const expected = {
      RequestItems: { [TABLE]: [{ PutRequest: { Item: put('a') } }, { DeleteRequest: { Key: put('b') } }] },
      ReturnConsumedCapacity: 'TOTAL',
    };
    expect(fake.requests.map((r) => r.body)).toEqual([expected, expected]);
    expect(retries).toEqual(['unprocessedItems']);
  });

  it('into DynamoDB Local, asks for no capacity and counts 1 WCU per started KB of each put and 1 per delete, each once', async () => {
    const bigPut = { ...put('a'), pad: { S: 'x'.repeat(1500) } };
    let writes = 0;
    script = (operation, body) => {
      if (operation === 'DescribeTable') {
        return {
          json: {
            Table: {
              TableName: TABLE,
              TableArn: `arn:aws:dynamodb:ddblocal:000000000000:table/${TABLE}`,
              TableStatus: 'ACTIVE',
            },
          },
        };
      }
      const requests = (body.RequestItems as Record<string, unknown[]>)[TABLE]!;
      // The first write leaves the delete unprocessed; it is sent again and counted once.
      writes += 1;
      return writes === 1 ? { json: { UnprocessedItems: { [TABLE]: requests.slice(1) } } } : { json: {} };
    };
    await sink.describe();
    const result = await sink.writeChanges([{ put: bigPut }, { delete: put('b') }]);
    const sent = fake.requests.filter((request) => request.operation === 'BatchWriteItem');
    expect(sent.map((request) => request.body)).toEqual([
      { RequestItems: { [TABLE]: [{ PutRequest: { Item: bigPut } }, { DeleteRequest: { Key: put('b') } }] } },
      { RequestItems: { [TABLE]: [{ DeleteRequest: { Key: put('b') } }] } },
    ]);
    expect(result).toEqual({ consumedWrite: 2 + 1, throttled: true });
  });

  it('a table described without an ARN is asked for its capacity, as before', async () => {
    script = (operation) =>
      operation === 'DescribeTable'
        ? { json: { Table: { TableName: TABLE, TableStatus: 'ACTIVE' } } }
        : { json: { ConsumedCapacity: [{ CapacityUnits: 7 }] } };
    expect((await sink.describe())?.TableName).toBe(TABLE);
    const result = await sink.writeBatch([put('a')]);
    expect(fake.requests.at(-1)!.body.ReturnConsumedCapacity).toBe('TOTAL');
    expect(result.consumedWrite).toBe(7);
  });

  it('gives up on writes that stay unprocessed, on the target side, saying nothing was skipped', async () => {
    script = (_, body) => ({ json: { UnprocessedItems: body.RequestItems } });
    const error = await sink.writeChanges([{ delete: put('b') }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryBudgetExhaustedError);
    const { message, side, hint } = error as RetryBudgetExhaustedError;
    expect(message).toMatch(
      /^1 write\(s\) stayed unprocessed by BatchWriteItem on the target table 'orders' after \d+ attempts\.$/,
    );
    expect(side).toBe('target');
    expect(hint).toBe(
      'Nothing was skipped. The target is throttling: lower --write-rate or raise its write capacity, then resume.',
    );
  });
});
