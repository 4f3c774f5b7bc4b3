/**
 * Checks the fault-injection harness itself with the plain SDK, so a copy test that uses it can blame
 * only the copy: every injected fault looks to the SDK like the real one, and what the proxy says was
 * not written really was not (and the other way round).
 */

import { crc32 } from 'node:zlib';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ScanCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { classifyError } from '../../src/stores/dynamodb/errors.js';
import { hashOnlyTable } from '../fixtures/tables.js';
import { type FakeSts, startFakeSts } from '../harness/fake-sts.js';
import {
  type FaultProxy,
  type FaultProxyOptions,
  peakWriteUnitsPerSecond,
  startFaultProxy,
} from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const TABLE = 'fault_harness';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Item = Record<string, AttributeValue>;

/** `pk` plus a string of `bytes` characters: at 1,000 that is 1,012 bytes, one write unit. */
function item(index: number, bytes = 100): Item {
  return { pk: { S: `k${String(index).padStart(5, '0')}` }, data: { S: 'x'.repeat(bytes) } };
}

function keyOf(request: WriteRequest | Item): string {
  const value =
    'PutRequest' in request ? (request as WriteRequest).PutRequest?.Item?.pk : (request as Item).pk;
  return value?.S ?? '';
}

/** A client through the proxy that never retries, so every injected fault reaches the test. */
function proxiedClient(
  proxy: FaultProxy,
  account: LocalAccount,
  credentials?: AwsCredentialIdentityProvider,
): DynamoDBClient {
  const client = new DynamoDBClient({
    region: account.region,
    endpoint: proxy.endpoint,
    credentials: credentials ?? {
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    },
    maxAttempts: 1,
  });
  cleanups.push(() => client.destroy());
  return client;
}

async function setup(options: FaultProxyOptions = {}) {
  const proxy = await startFaultProxy({ upstream: endpoint, ...options });
  cleanups.push(() => proxy.close());
  const account = newAccount(endpoint);
  const direct = accountClient(account);
  cleanups.push(() => direct.destroy());
  await createTableAndWait(direct, hashOnlyTable(TABLE, 'S'));
  return { proxy, account, direct, client: proxiedClient(proxy, account) };
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the request to fail');
}

async function storedKeys(direct: DynamoDBClient): Promise<Set<string>> {
  return new Set((await scanAll(direct, TABLE)).map(keyOf));
}

describe('fault proxy', () => {
  it('leaves a random subset of a batch unprocessed, and does not write it', async () => {
    const { proxy, account, direct, client } = await setup({ partialBatchRate: 1, seed: 7 });
    const sent: string[] = [];
    const unprocessedPerBatch: number[] = [];
    const unprocessed = new Set<string>();
    for (let batch = 0; batch < 8; batch++) {
      const items = Array.from({ length: 25 }, (_, i) => item(batch * 25 + i));
      sent.push(...items.map(keyOf));
      const out = await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const left = out.UnprocessedItems?.[TABLE] ?? [];
      expect(Object.keys(out.UnprocessedItems ?? {})).toEqual([TABLE]);
      expect(left.length).toBeGreaterThanOrEqual(1);
      expect(left.length).toBeLessThanOrEqual(25);
      // Capacity is charged for what was written only: one unit per small item.
      const consumed = out.ConsumedCapacity?.[0]?.CapacityUnits ?? 0;
      expect(consumed).toBe(25 - left.length);
      unprocessedPerBatch.push(left.length);
      for (const request of left) unprocessed.add(keyOf(request));
    }

    const stored = await storedKeys(direct);
    expect(stored).toEqual(new Set(sent.filter((key) => !unprocessed.has(key))));
    const counts = proxy.counts();
    expect(counts.partialBatches).toBe(8);
    expect(counts.unprocessedItemsReturned).toBe(unprocessed.size);
    expect(proxy.writeLog().reduce((sum, entry) => sum + entry.items, 0)).toBe(stored.size);

    // A rewritten answer carries a CRC32 of its new body: botocore (the AWS CLI) checks it. The raw
    // request below is not signed (Signature=0), so the proxy's signature check is off for it.
    proxy.configure({ verifySignatures: false });
    const raw = await fetch(proxy.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
        authorization: `AWS4-HMAC-SHA256 Credential=${account.accessKeyId}/20250101/${account.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item(9999) } }] } }),
    });
    const rawBody = Buffer.from(await raw.arrayBuffer());
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-amz-crc32')).toBe(String(crc32(rawBody)));

    // The same seed and the same requests give the same faults.
    const again = await setup({ partialBatchRate: 1, seed: 7 });
    const replay: number[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const items = Array.from({ length: 25 }, (_, i) => item(batch * 25 + i));
      const out = await again.client.send(
        new BatchWriteItemCommand({
          RequestItems: { [TABLE]: items.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      replay.push(out.UnprocessedItems?.[TABLE]?.length ?? 0);
    }
    expect(replay).toEqual(unprocessedPerBatch);
  });

  it('throttles data-plane requests with errors the SDK parses, and leaves the control plane alone', async () => {
    const { proxy, client } = await setup({ throttleRate: 1, seed: 3 });
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const error = await failure(
        client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: item(i).pk! } })),
      );
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
      expect(classifyError(error)).toBe('throttled');
      if (error.name === 'ProvisionedThroughputExceededException') {
        expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
      }
      names.add(error.name);
    }
    expect(names).toEqual(new Set(['ProvisionedThroughputExceededException', 'ThrottlingException']));
    await expect(client.send(new DescribeTableCommand({ TableName: TABLE }))).resolves.toBeDefined();
    expect(proxy.counts()).toMatchObject({ throttled: 10, requests: { GetItem: 10, DescribeTable: 1 } });
  });

  it('answers 500 InternalFailure and 503 ServiceUnavailableException', async () => {
    const { proxy, client } = await setup({ serverErrorRate: 1, seed: 5 });
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const error = await failure(client.send(new ScanCommand({ TableName: TABLE })));
      expect(error.$fault).toBe('server');
      expect(classifyError(error)).toBe('transient');
      seen.add(`${(error.$metadata as { httpStatusCode: number }).httpStatusCode} ${error.name}`);
    }
    expect(seen).toEqual(new Set(['500 InternalFailure', '503 ServiceUnavailableException']));
    expect(proxy.counts().serverErrors).toBe(10);
  });

  it('resets the connection before the write: a network error, nothing written', async () => {
    const { proxy, direct, client } = await setup({ resetBeforeRate: 1 });
    const error = await failure(client.send(new PutItemCommand({ TableName: TABLE, Item: item(1) })));
    console.log(`[fault-harness] reset before: ${error.name} code=${String(error.code)} ${error.message}`);
    expect(classifyError(error)).toBe('transient');
    expect(
      (await direct.send(new GetItemCommand({ TableName: TABLE, Key: { pk: item(1).pk! } }))).Item,
    ).toBeUndefined();
    expect(proxy.counts().resetsBefore).toBe(1);
    expect(proxy.writeLog()).toEqual([]);
  });

  it('resets the connection after the write: a network error, but the item is there', async () => {
    const { proxy, direct, client } = await setup({ resetAfterRate: 1 });
    const error = await failure(client.send(new PutItemCommand({ TableName: TABLE, Item: item(2) })));
    console.log(`[fault-harness] reset after: ${error.name} code=${String(error.code)} ${error.message}`);
    expect(classifyError(error)).toBe('transient');
    const { Item } = await direct.send(new GetItemCommand({ TableName: TABLE, Key: { pk: item(2).pk! } }));
    expect(Item).toEqual(item(2));
    expect(proxy.counts().resetsAfter).toBe(1);
    expect(proxy.writeLog()).toMatchObject([{ operation: 'PutItem', table: TABLE, items: 1, writeUnits: 1 }]);
  });

  it('simulates provisioned write capacity: 1,000 one-unit items at 100 WCU/s take about 9 s', async () => {
    const { proxy, direct, client } = await setup({ capacity: { writeUnitsPerSecond: 100 } });
    const pending = Array.from({ length: 40 }, (_, batch) =>
      Array.from({ length: 25 }, (_, i) => item(batch * 25 + i, 1000)),
    );
    let throttles = 0;
    const started = performance.now();
    const writer = async (): Promise<void> => {
      for (let batch = pending.shift(); batch; batch = pending.shift()) {
        let requests: WriteRequest[] = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          try {
            const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
            requests = out.UnprocessedItems?.[TABLE] ?? [];
          } catch (error) {
            if (!(error instanceof ProvisionedThroughputExceededException)) throw error;
            throttles++;
          }
          if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, writer));
    const seconds = (performance.now() - started) / 1000;

    const log = proxy.writeLog();
    const units = log.reduce((sum, entry) => sum + entry.writeUnits, 0);
    const peak10s = peakWriteUnitsPerSecond(log, 10_000);
    const counts = proxy.counts();
    console.log(
      `[fault-harness] 1000 x 1 KB at 100 WCU/s: ${seconds.toFixed(1)} s, ${(units / seconds).toFixed(1)} WCU/s overall, ` +
        `peak ${peak10s.toFixed(1)} WCU/s over 10 s, ${counts.partialBatches} partial batches, ${throttles} throttles`,
    );
    expect(units).toBe(1000);
    expect(seconds).toBeGreaterThan(5);
    // At most one second of burst on top of the provisioned rate, over any window.
    expect(peak10s).toBeLessThanOrEqual(110);
    expect(peakWriteUnitsPerSecond(log, 3_000)).toBeLessThanOrEqual(100 + 100 / 3 + 1);
    expect(counts.partialBatches).toBeGreaterThan(0);
    expect((await scanAll(direct, TABLE)).length).toBe(1000);
  });

  it('simulates provisioned read capacity: a scan that overdraws the bucket throttles the next one', async () => {
    const { proxy, client } = await setup({ capacity: { readUnitsPerSecond: 1 } });
    // Each put is free: only reads are limited.
    for (let i = 0; i < 20; i++)
      await client.send(new PutItemCommand({ TableName: TABLE, Item: item(i, 4000) }));
    const page = await client.send(new ScanCommand({ TableName: TABLE, ReturnConsumedCapacity: 'TOTAL' }));
    expect(page.Count).toBe(20);
    const error = await failure(client.send(new ScanCommand({ TableName: TABLE })));
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(proxy.counts()).toMatchObject({ capacityThrottles: 1, throttled: 1 });
  });

  it('emulates tags and point-in-time recovery per account, and forgets them with the table', async () => {
    const { proxy, account, client } = await setup();
    const arn = (await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableArn;
    expect(arn).toBeDefined();

    await client.send(
      new TagResourceCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'team', Value: 'orders' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['env'] }));
    expect((await client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([
      { Key: 'team', Value: 'orders' },
    ]);

    const before = await client.send(new DescribeContinuousBackupsCommand({ TableName: TABLE }));
    expect(
      before.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    ).toBe('DISABLED');
    await client.send(
      new UpdateContinuousBackupsCommand({
        TableName: TABLE,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 10 },
      }),
    );
    const after = await client.send(new DescribeContinuousBackupsCommand({ TableName: TABLE }));
    expect(after.ContinuousBackupsDescription).toMatchObject({
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 10 },
    });
    expect(
      after.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.EarliestRestorableDateTime,
    ).toBeInstanceOf(Date);

    // Another account has the same ARN on DynamoDB Local, but not the same tags.
    const other = newAccount(endpoint);
    const otherDirect = accountClient(other);
    cleanups.push(() => otherDirect.destroy());
    const otherClient = proxiedClient(proxy, other);
    const missing = await failure(otherClient.send(new ListTagsOfResourceCommand({ ResourceArn: arn })));
    expect(missing.name).toBe('ResourceNotFoundException');
    await createTableAndWait(otherDirect, hashOnlyTable(TABLE, 'S'));
    expect((await otherClient.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([]);

    // Deleting and recreating the table through the proxy starts from CreateTable's own tags.
    await client.send(new DeleteTableCommand({ TableName: TABLE }));
    await client.send(
      new CreateTableCommand({ ...hashOnlyTable(TABLE, 'S'), Tags: [{ Key: 'fresh', Value: '1' }] }),
    );
    expect((await client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([
      { Key: 'fresh', Value: '1' },
    ]);
    const reset = await client.send(new DescribeContinuousBackupsCommand({ TableName: TABLE }));
    expect(
      reset.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    ).toBe('DISABLED');
    expect(account.accessKeyId).not.toBe(other.accessKeyId);
  });
});

describe('fake STS', () => {
  const ROLE = 'arn:aws:iam::111111111111:role/ddbcopy-reader';
  const EXTERNAL_ID = 'ext-7f3a';
  const master = { accessKeyId: 'callerkey', secretAccessKey: 'callersecret' };

  async function setupSts(): Promise<{ sts: FakeSts; proxy: FaultProxy; account: LocalAccount }> {
    const account = newAccount(endpoint);
    const direct = accountClient(account);
    cleanups.push(() => direct.destroy());
    await createTableAndWait(direct, hashOnlyTable(TABLE, 'S'));
    const sts = await startFakeSts({
      roles: { [ROLE]: { accountKeyId: account.accessKeyId, externalId: EXTERNAL_ID } },
    });
    cleanups.push(() => sts.close());
    const proxy = await startFaultProxy({ upstream: endpoint, credentials: sts.registry });
    cleanups.push(() => proxy.close());
    return { sts, proxy, account };
  }

  function assumeRole(sts: FakeSts, externalId = EXTERNAL_ID, roleArn = ROLE): AwsCredentialIdentityProvider {
    return fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'fault-harness', ExternalId: externalId },
      masterCredentials: master,
      clientConfig: { endpoint: sts.endpoint, region: 'us-east-1' },
    });
  }

  it('issues credentials that act as the role account, until they expire', async () => {
    const { sts, proxy, account } = await setupSts();
    const credentials = assumeRole(sts);
    const client = proxiedClient(proxy, account, credentials);

    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE]);
    const [call] = sts.calls();
    expect(call).toMatchObject({
      roleArn: ROLE,
      roleSessionName: 'fault-harness',
      externalId: EXTERNAL_ID,
      callerAccessKeyId: master.accessKeyId,
    });
    const issued = await credentials();
    expect(issued.accessKeyId).toMatch(/^ASIA[A-Z0-9]+$/);
    expect(issued.sessionToken).toBeTruthy();
    expect(issued.expiration!.getTime()).toBeGreaterThan(Date.now() + 3000_000);

    sts.registry.expireAll();
    const error = await failure(client.send(new ListTablesCommand({})));
    expect(error.name).toBe('ExpiredTokenException');
    expect(classifyError(error)).toBe('expired-credentials');
    expect(proxy.counts().expiredTokens).toBe(1);

    // A new session is a new access key id, and still the same account.
    const renewed = proxiedClient(proxy, account, assumeRole(sts));
    expect((await renewed.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE]);
    expect(sts.counts().assumeRole).toBe(3);
  });

  it('refuses a wrong external ID or an unknown role with AccessDenied', async () => {
    const { sts } = await setupSts();
    const wrongId = await failure(assumeRole(sts, 'not-the-id')());
    expect(wrongId.name).toBe('AccessDenied');
    expect(wrongId.message).toContain('is not authorized to perform: sts:AssumeRole');
    const unknown = await failure(assumeRole(sts, EXTERNAL_ID, 'arn:aws:iam::111111111111:role/nope')());
    expect(unknown.name).toBe('AccessDenied');
    expect(sts.counts()).toEqual({ assumeRole: 2, denied: 2 });
  });

  it('is found through AWS_ENDPOINT_URL_STS, and short sessions are renewed before every request', async () => {
    const { sts, proxy, account } = await setupSts();
    sts.sessionSeconds = 30;
    const saved = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
    try {
      const credentials = fromTemporaryCredentials({
        params: { RoleArn: ROLE, RoleSessionName: 'from-env', ExternalId: EXTERNAL_ID },
        masterCredentials: master,
        clientConfig: { region: 'us-east-1' },
      });
      const client = proxiedClient(proxy, account, credentials);
      for (let i = 0; i < 3; i++)
        expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE]);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = saved;
    }
    // The SDK treats credentials expiring within 5 minutes as expired: a 30 s session is never reused,
    // and its memoizer even fetches twice when the first answer is already "expired".
    console.log(`[fault-harness] 3 requests with 30 s sessions: ${sts.counts().assumeRole} AssumeRole calls`);
    expect(sts.counts().assumeRole).toBeGreaterThanOrEqual(3);
  });
});
