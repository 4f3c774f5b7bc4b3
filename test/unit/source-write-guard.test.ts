/**
 * A source is opened read-only: its connection refuses any write before a byte leaves the process, on
 * the data path (the wire client, which sends Scan and BatchWriteItem) as on the SDK client (the
 * control plane). The endpoint here is a local HTTP server that only counts what reaches it, so
 * "refused" means "0 requests received", not "DynamoDB said no".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsRequestError, ForbiddenOperationError } from '../../src/errors.js';
import { DATA_RETRY_POLICY } from '../../src/runtime/retry.js';
import { connectStreams } from '../../src/stores/dynamodb/change-stream.js';
import { wireClient } from '../../src/stores/dynamodb/client.js';
import { sendWireWithRetry } from '../../src/stores/dynamodb/request.js';
import { DynamoDbSink } from '../../src/stores/dynamodb/sink.js';
import { batchWriteJson } from '../../src/stores/dynamodb/wire-client.js';
import { type DynamoDbSpec, openSink, openSource } from '../../src/stores/open.js';
import type { Item } from '../../src/stores/types.js';

const TABLE = 'orders';
const ITEMS: Item[] = [{ pk: { S: 'intruder' }, n: { N: '1' } }];

/** The operations (x-amz-target) the server received, in order. It answers each with an empty success. */
const received: string[] = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    received.push(String(request.headers['x-amz-target'] ?? request.url));
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
});

function spec(side: 'source' | 'target'): DynamoDbSpec {
  return {
    store: 'dynamodb',
    side,
    maxSockets: 2,
    config: {
      table: TABLE,
      region: 'eu-west-1',
      endpointUrl: endpoint,
      credentials: { accessKeyId: 'AKIDGUARDTEST', secretAccessKey: 'guard-test-secret' },
    },
  };
}

/** The error `attempt` rejects with; fails the test when it resolves. */
async function rejection(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected the write to be refused, but it was sent and answered');
}

describe("a source's connection (opened through the registry) refuses writes before sending", () => {
  it('the wire client refuses BatchWriteItem with ForbiddenOperationError: 0 requests received', async () => {
    const source = await openSource(spec('source'));
    try {
      const error = await rejection(() =>
        wireClient(source.connection).sendText('BatchWriteItem', batchWriteJson(TABLE, ITEMS)),
      );
      expect(error).toBeInstanceOf(ForbiddenOperationError);
      expect((error as ForbiddenOperationError).message).toMatch(/Refused to send BatchWriteItem/);
      expect((error as ForbiddenOperationError).hint).toContain('Nothing was sent');
      expect(received).toEqual([]);

      // The same client and server: a read goes through, so the count above would have seen a write.
      await wireClient(source.connection).sendText('Scan', JSON.stringify({ TableName: TABLE, Limit: 1 }));
      expect(received).toEqual(['DynamoDB_20120810.Scan']);
    } finally {
      source.close();
    }
  });

  it('the data path with retries (sendWireWithRetry) refuses it too, once, and sends nothing', async () => {
    const source = await openSource(spec('source'));
    try {
      const error = await rejection(() =>
        sendWireWithRetry(source.connection, batchWriteJson(TABLE, ITEMS), {
          operation: 'BatchWriteItem',
          policy: DATA_RETRY_POLICY,
          retryUnreachable: true,
        }),
      );
      expect(error, String(error)).toBeInstanceOf(ForbiddenOperationError);
      expect(received).toEqual([]);
    } finally {
      source.close();
    }
  });

  it("a sink handed the source's connection by mistake cannot write through it", async () => {
    const source = await openSource(spec('source'));
    try {
      const error = await rejection(() => new DynamoDbSink(source.connection).writeBatch(ITEMS));
      expect(error, String(error)).toBeInstanceOf(ForbiddenOperationError);
      expect(received).toEqual([]);
    } finally {
      source.close();
    }
  });

  it('the SDK client refuses PutItem and BatchWriteItem with ForbiddenOperationError: 0 requests', async () => {
    const source = await openSource(spec('source'));
    try {
      const put = await rejection(() =>
        source.connection.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'x' } } })),
      );
      expect(put).toBeInstanceOf(ForbiddenOperationError);
      const batch = await rejection(() =>
        source.connection.client.send(
          new BatchWriteItemCommand({
            RequestItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: 'x' } } } }] },
          }),
        ),
      );
      expect(batch).toBeInstanceOf(ForbiddenOperationError);
      expect(received).toEqual([]);
    } finally {
      source.close();
    }
  });

  it("the source's stream reader sends only streams reads and a consistent GetItem", async () => {
    const source = await openSource(spec('source'));
    try {
      // The streams client refuses a write handed to it (the streams API has none of its own).
      const streams = connectStreams(source.connection);
      try {
        const put = await rejection(() =>
          streams.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'x' } } }) as never),
        );
        expect(put, String(put)).toBeInstanceOf(ForbiddenOperationError);
        expect((put as ForbiddenOperationError).message).toMatch(/Refused to send PutItem/);
        expect(received).toEqual([]);
      } finally {
        streams.destroy();
      }

      // Its reads do leave, to the side's endpoint (the server's '{}' is no stream description).
      const changes = source.changes('arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/x');
      expect(await rejection(() => changes.describeStream())).toBeInstanceOf(AwsRequestError);
      expect(await changes.getItem({ pk: { S: 'x' } })).toBeUndefined();
      expect(received).toEqual(['DynamoDBStreams_20120810.DescribeStream', 'DynamoDB_20120810.GetItem']);
    } finally {
      source.close();
    }
  });

  it("a target's connection does send BatchWriteItem (the guard is the source's only)", async () => {
    const sink = await openSink(spec('target'));
    try {
      await wireClient(sink.connection).sendText('BatchWriteItem', batchWriteJson(TABLE, ITEMS));
      expect(received).toEqual(['DynamoDB_20120810.BatchWriteItem']);
    } finally {
      sink.close();
    }
  });
});
