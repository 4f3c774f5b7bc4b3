/**
 * Nothing is lost under every fault at once. Both sides go through our fault proxy (throttling,
 * partial batches, 5xx, connection resets before and after the write, latency, a provisioned-capacity
 * cap) and both use roles from the fake STS whose sessions expire every 12 s and are treated as
 * expired early by the proxy. The target, scanned directly on DynamoDB Local, must equal the source
 * item by item, for several seeds; the source's proxy must never see a write.
 */
import {
  DescribeContinuousBackupsCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { type FakeSts, startFakeSts } from '../harness/fake-sts.js';
import { peakWriteUnitsPerSecond, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const ITEMS = 20_000;
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };
const READER = 'arn:aws:iam::111111111111:role/ddbcopy-reader';
const WRITER = 'arn:aws:iam::222222222222:role/ddbcopy-writer';
const WRITES = new Set([
  'BatchWriteItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'UpdateTimeToLive',
  'UpdateContinuousBackups',
  'TagResource',
  'UntagResource',
]);

describe('fault matrix: every fault at once, nothing lost', () => {
  let src: LocalAccount;
  let sts: FakeSts;
  let sourceItems: Map<string, unknown>;
  const previousStsEndpoint = process.env.AWS_ENDPOINT_URL_STS;

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(ITEMS, 99, KEYS));
    sourceItems = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
  }, 120_000);

  afterAll(async () => {
    await sts?.close();
    if (previousStsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
    else process.env.AWS_ENDPOINT_URL_STS = previousStsEndpoint;
  });

  async function copyThroughFaults(
    seed: number,
    dst: LocalAccount,
    flags: Record<string, string | boolean> = {},
    randomFaults = true,
  ) {
    sts = await startFakeSts({
      roles: {
        [READER]: { accountKeyId: src.accessKeyId, externalId: 'reader-ext' },
        [WRITER]: { accountKeyId: dst.accessKeyId },
      },
      // Shorter than the 30 s: the copy itself now takes only about ten seconds.
      sessionSeconds: 12,
    });
    // The proxies see a session key as expired 6 s before its stated end, before ddbcopy's own early
    // refresh: requests then get ExpiredTokenException, as on AWS when a session dies under a long copy.
    sts.registry.clockSkewSeconds = 6;
    process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
    const random = {
      throttleRate: 0.3,
      partialBatchRate: 0.2,
      serverErrorRate: 0.05,
      resetBeforeRate: 0.02,
      resetAfterRate: 0.02,
    };
    const faults = {
      seed,
      credentials: sts.registry,
      latencyMs: [0, 15] as const,
      ...(randomFaults ? random : {}),
    };
    const sourceProxy = await startFaultProxy({
      upstream: endpoint,
      ...faults,
      capacity: { readUnitsPerSecond: 4000 },
    });
    const targetProxy = await startFaultProxy({
      upstream: endpoint,
      ...faults,
      seed: seed + 1,
      capacity: { writeUnitsPerSecond: 8000 },
    });
    try {
      const base = validateCopyOptions({
        source: 'orders',
        target: 'orders',
        sourceRegion: src.region,
        targetRegion: dst.region,
        sourceEndpointUrl: sourceProxy.endpoint,
        targetEndpointUrl: targetProxy.endpoint,
        sourceRoleArn: READER,
        sourceExternalId: 'reader-ext',
        targetRoleArn: WRITER,
        checkpoint: `/tmp/ddbcopy-fault-${seed}-${Date.now()}.json`,
        yes: true,
        segments: '8',
        ...flags,
      });
      const runner = { accessKeyId: 'runner', secretAccessKey: 'runner' };
      const options = {
        ...base,
        source: { ...base.source, credentials: runner },
        target: { ...base.target, credentials: runner },
      };
      const started = performance.now();
      const outcome = await runCopy(options);
      return {
        outcome,
        seconds: (performance.now() - started) / 1000,
        source: sourceProxy.counts(),
        target: targetProxy.counts(),
        log: targetProxy.writeLog(),
        assumeRoles: sts.counts().assumeRole,
      };
    } finally {
      await sourceProxy.close();
      await targetProxy.close();
      await sts.close();
    }
  }

  async function expectIdentical(dst: LocalAccount): Promise<void> {
    const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
    expect(target.size).toBe(sourceItems.size);
    for (const [key, item] of sourceItems) expect(target.get(key), key).toStrictEqual(item);
  }

  it.each([1, 2, 3])(
    'seed %i: target identical, every fault survived, the source never written',
    async (seed) => {
      const dst = newAccount(endpoint, 'us-east-1');
      const run = await copyThroughFaults(seed, dst);
      expect(run.outcome.error, run.outcome.error?.message).toBeUndefined();
      const { summary } = run.outcome;
      expect(summary.status).toBe('completed');
      expect(summary.items.written).toBeGreaterThanOrEqual(ITEMS);
      await expectIdentical(dst);

      const writesToSource = Object.entries(run.source.requests).filter(([op]) => WRITES.has(op));
      expect(writesToSource).toEqual([]);
      const faults = {
        throttled: run.source.throttled + run.target.throttled,
        capacityThrottles: run.source.capacityThrottles + run.target.capacityThrottles,
        partialBatches: run.target.partialBatches,
        unprocessedItems: run.target.unprocessedItemsReturned,
        serverErrors: run.source.serverErrors + run.target.serverErrors,
        resets:
          run.source.resetsBefore + run.source.resetsAfter + run.target.resetsBefore + run.target.resetsAfter,
        expiredTokens: run.source.expiredTokens + run.target.expiredTokens,
        assumeRoles: run.assumeRoles,
      };
      console.log(
        `seed ${seed}: ${ITEMS} items in ${run.seconds.toFixed(1)} s; faults survived ${JSON.stringify(faults)}; retries counted ${JSON.stringify(summary.retries)}`,
      );
      expect(faults.throttled).toBeGreaterThan(0);
      expect(faults.partialBatches).toBeGreaterThan(0);
      expect(faults.serverErrors).toBeGreaterThan(0);
      expect(faults.resets).toBeGreaterThan(0);
      expect(summary.retries.throttled).toBeGreaterThan(0);
      expect(summary.retries.unprocessedItems).toBeGreaterThan(0);
      expect(summary.retries.errors).toBeGreaterThan(0);
      expect(faults.expiredTokens).toBeGreaterThan(0);
      expect(summary.retries.expiredCredentials).toBe(faults.expiredTokens);
    },
    180_000,
  );

  it('keeps to --write-rate over 10 s windows (measured at the target proxy)', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const rate = 1500;
    // No random throttling here: a throttle rightly halves the pacer's rate, which would hide the cap.
    const run = await copyThroughFaults(7, dst, { writeRate: String(rate) }, false);
    expect(run.outcome.error).toBeUndefined();
    await expectIdentical(dst);
    const peak = peakWriteUnitsPerSecond(run.log, 10_000);
    console.log(
      `--write-rate ${rate}: peak 10 s average ${peak.toFixed(0)} WCU/s (${((peak / rate) * 100).toFixed(1)} % of the rate), run ${run.seconds.toFixed(1)} s`,
    );
    // Loose on purpose: shared machines are noisy; the measured ratio is printed above.
    expect(peak).toBeLessThanOrEqual(rate * 1.1);
  }, 180_000);

  it('tags and point-in-time recovery are copied (through the proxy that emulates them)', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const proxy = await startFaultProxy({ upstream: endpoint });
    try {
      const sideClient = (account: LocalAccount) =>
        new DynamoDBClient({ region: account.region, endpoint: proxy.endpoint, credentials: account });
      const table = await createTableAndWait(sideClient(src), hashRangeTable('tagged', 'S', 'N'));
      await sideClient(src).send(
        new TagResourceCommand({
          ResourceArn: table.TableArn,
          Tags: [
            { Key: 'team', Value: 'payments' },
            { Key: 'env', Value: 'prod' },
          ],
        }),
      );
      await sideClient(src).send(
        new UpdateContinuousBackupsCommand({
          TableName: 'tagged',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 14 },
        }),
      );
      const base = validateCopyOptions({
        source: 'tagged',
        target: 'tagged',
        sourceRegion: src.region,
        targetRegion: dst.region,
        sourceEndpointUrl: proxy.endpoint,
        targetEndpointUrl: proxy.endpoint,
        checkpoint: `/tmp/ddbcopy-tags-${Date.now()}.json`,
      });
      const outcome = await runCopy({
        ...base,
        source: { ...base.source, credentials: src },
        target: { ...base.target, credentials: dst },
      });
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.schema.settings).toEqual(['pitr', 'tags']);
      const target = sideClient(dst);
      const tags = await target.send(new ListTagsOfResourceCommand({ ResourceArn: table.TableArn }));
      expect(tags.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'team', Value: 'payments' },
          { Key: 'env', Value: 'prod' },
        ]),
      );
      const pitr = await target.send(new DescribeContinuousBackupsCommand({ TableName: 'tagged' }));
      expect(pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription).toMatchObject({
        PointInTimeRecoveryStatus: 'ENABLED',
        RecoveryPeriodInDays: 14,
      });
    } finally {
      await proxy.close();
    }
  });
});
