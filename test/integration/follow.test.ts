/**
 * `copy --follow` against DynamoDB Local's streams: a writer changes the source during the scan and
 * after it (puts, updates, deletes of items already copied, re-creations of deleted keys); the follow
 * applies every change, in order per key, and the target ends identical to the source.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { runCopyTables } from '../../src/runs/tables/copy-tables.js';
import { validateTableSetOptions } from '../../src/runs/tables/options.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import { STREAM_OPERATIONS, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { writeChanges } from '../harness/stream-writer.js';

const endpoint = inject('ddbEndpoint');
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

async function liveSource(
  count: number,
  viewType: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'KEYS_ONLY' | 'none' = 'NEW_AND_OLD_IMAGES',
): Promise<{ src: LocalAccount; dst: LocalAccount; seed: ReturnType<typeof variedItems> }> {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'us-east-1');
  await createTableAndWait(accountClient(src), {
    ...hashRangeTable('orders', 'S', 'N'),
    ...(viewType !== 'none'
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } }
      : {}),
  });
  const seed = variedItems(count, 7, KEYS);
  await putItems(accountClient(src), 'orders', seed);
  return { src, dst, seed };
}

async function expectIdentical(src: LocalAccount, dst: LocalAccount): Promise<number> {
  const source = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
  const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
  expect(
    [...target.keys()].filter((key) => !source.has(key)),
    'extra on the target',
  ).toEqual([]);
  expect(
    [...source.keys()].filter((key) => !target.has(key)),
    'missing on the target',
  ).toEqual([]);
  for (const [key, item] of source) expect(target.get(key), key).toStrictEqual(item);
  return source.size;
}

/**
 * Runs the copy while a writer changes the source, from the moment the scan starts; resolves once
 * both are done (the writer's changes land during the scan and, if it outlasts it, the follow).
 */
async function copyWhileWriting(
  options: Parameters<typeof runCopy>[0],
  src: LocalAccount,
  changes: Omit<Parameters<typeof writeChanges>[2], 'signal'>,
): ReturnType<typeof runCopy> {
  let writer: Promise<unknown> | undefined;
  const outcome = await runCopy(options, {
    onEvent: (event) => {
      if (event.type === 'copy-started') writer = writeChanges(accountClient(src), 'orders', changes);
    },
  });
  await writer;
  return outcome;
}

const sides = (src: LocalAccount, dst: LocalAccount) =>
  [
    { account: src, table: 'orders' },
    { account: dst, table: 'orders' },
  ] as const;

describe('copy --follow', () => {
  it('applies changes made during the scan, then stops once caught up (--until-caught-up)', async () => {
    const { src, dst, seed } = await liveSource(3000);
    // A slow scan (one segment, a low read rate) so the writer's changes land while it runs.
    const options = localCopyOptions(...sides(src, dst), {
      follow: true,
      untilCaughtUp: true,
      segments: '1',
      readRate: '150',
    });
    const outcome = await copyWhileWriting(options, src, {
      existing: seed,
      changes: 300,
      seed: 1,
      prefix: 'during',
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(EXIT.ok);
    const follow = outcome.summary.follow!;
    expect(follow.status).toBe('caught-up');
    // Every record is applied: the writer's, and the seed's too (written less than the margin before
    // the scan, so possibly missed by an eventually consistent scan). One record per change:
    // DynamoDB Local records no no-op write, and the writer makes none.
    expect(follow.records).toBe(3000 + 300);
    expect(follow.skipped).toBe(0);
    expect(follow.puts + follow.deletes).toBeGreaterThan(0);
    expect(follow.shards).toEqual({ done: 0, total: 1 });
    await expectIdentical(src, dst);
  });

  it('follows after the scan until interrupted, then --resume continues from the saved position', async () => {
    const { src, dst, seed } = await liveSource(1500);
    const options = localCopyOptions(...sides(src, dst), { follow: true });
    const controller = new AbortController();
    let writer: Promise<unknown> | undefined;
    const first = await runCopy(options, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type !== 'follow-started') return;
        const stats = event.stats;
        // Changes after the scan, then (once applied: the follow is at its tip again) Ctrl-C.
        writer = writeChanges(accountClient(src), 'orders', {
          existing: seed,
          changes: 400,
          seed: 2,
          prefix: 'after',
        }).then(async () => {
          while (!(stats.records >= 400 && stats.lagSeconds() === 0))
            await new Promise((r) => setTimeout(r, 50));
          controller.abort();
        });
      },
    });
    await writer;
    expect(first.exitCode).toBe(EXIT.interrupted);
    expect(first.summary.status).toBe('interrupted');
    expect(first.summary.follow?.status).toBe('interrupted');
    const firstRecords = first.summary.follow!.records;
    expect(firstRecords).toBeGreaterThan(1500);

    // The record holds the shard's last applied record: a resume applies only what came after it.
    const record = JSON.parse(readFileSync(options.checkpoint, 'utf8')) as CheckpointRecord;
    expect(record.phase).toBe('completed');
    expect(record.follow?.shards[0]?.after).toMatch(/^\d+$/);
    expect(record.follow?.totals.records).toBe(firstRecords);
    await writeChanges(accountClient(src), 'orders', {
      existing: [],
      changes: 50,
      seed: 3,
      prefix: 'between',
    });
    const resumed = await runCopy({ ...options, resume: true, follow: { untilCaughtUp: true } });
    expect(resumed.error).toBeUndefined();
    expect(resumed.summary.resumed).toBe(true);
    expect(resumed.summary.items.written).toBe(0);
    // Every record exactly once across both runs: the seed's, the 400 changes and the 50 made between.
    expect(firstRecords + resumed.summary.follow!.records).toBe(1500 + 400 + 50);
    expect(resumed.summary.follow?.status).toBe('caught-up');
    await expectIdentical(src, dst);
  });

  it('refuses a source without a stream before touching anything, naming the command that enables one', async () => {
    const { src, dst } = await liveSource(10, 'none');
    const outcome = await runCopy(localCopyOptions(...sides(src, dst), { follow: true }));
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(outcome.error?.code).toBe('STREAM_REQUIRED');
    expect(outcome.error?.hint).toContain(
      'aws dynamodb update-table --table-name orders --region eu-west-1 --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES',
    );
    expect(outcome.summary.schema.action).toBe('none');
    await expect(scanAll(accountClient(dst), 'orders')).rejects.toThrow(/non-existent table|not found/i);
  });

  it('with KEYS_ONLY, reads each changed item again from the source', async () => {
    const { src, dst, seed } = await liveSource(800, 'KEYS_ONLY');
    const options = localCopyOptions(...sides(src, dst), {
      follow: true,
      untilCaughtUp: true,
      segments: '1',
      readRate: '60',
    });
    const outcome = await copyWhileWriting(options, src, {
      existing: seed,
      changes: 120,
      seed: 4,
      prefix: 'k',
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.warnings.join('\n')).toMatch(/only keys.*GetItem/);
    await expectIdentical(src, dst);
  });

  it('refuses to resume a follow whose stream was replaced (a gap): exit 1, the copy must be redone', async () => {
    const { src, dst } = await liveSource(200);
    const options = localCopyOptions(...sides(src, dst), { follow: true, untilCaughtUp: true });
    const first = await runCopy(options);
    expect(first.exitCode).toBe(EXIT.ok);
    // Disabling and enabling the stream gives a new ARN: the changes in between are in neither.
    const client = accountClient(src);
    await client.send(
      new UpdateTableCommand({ TableName: 'orders', StreamSpecification: { StreamEnabled: false } }),
    );
    await client.send(
      new UpdateTableCommand({
        TableName: 'orders',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const resumed = await runCopy({ ...options, resume: true });
    expect(resumed.exitCode).toBe(EXIT.failed);
    expect(resumed.error?.code).toBe('STREAM_GAP');
    expect(resumed.error?.hint).toMatch(/\brestart\b/);
  });

  it('through faults (throttled GetRecords, expired iterators, 5xx, unprocessed items): nothing lost', async () => {
    const { src, dst, seed } = await liveSource(1000);
    const sourceProxy = await startFaultProxy({
      upstream: endpoint,
      seed: 11,
      throttleRate: 0.15,
      serverErrorRate: 0.05,
      onlyOperations: new Set([...STREAM_OPERATIONS, 'Scan']),
    });
    const targetProxy = await startFaultProxy({
      upstream: endpoint,
      seed: 12,
      throttleRate: 0.1,
      partialBatchRate: 0.3,
      serverErrorRate: 0.05,
    });
    try {
      const options = localCopyOptions(
        { account: src, table: 'orders' },
        { account: dst, table: 'orders' },
        {
          follow: true,
          untilCaughtUp: true,
          segments: '1',
          readRate: '100',
          sourceEndpointUrl: sourceProxy.endpoint,
          targetEndpointUrl: targetProxy.endpoint,
        },
      );
      sourceProxy.expireIterators(3);
      const outcome = await copyWhileWriting(options, src, {
        existing: seed,
        changes: 250,
        seed: 6,
        prefix: 'faults',
      });
      expect(outcome.error).toBeUndefined();
      const source = sourceProxy.counts();
      const target = targetProxy.counts();
      // The faults happened on the stream's side and the writes' side, and were ridden out.
      expect(source.expiredIterators).toBe(3);
      expect(source.throttled).toBeGreaterThan(0);
      expect(target.partialBatches).toBeGreaterThan(0);
      expect(outcome.summary.follow?.records).toBe(1000 + 250);
      await expectIdentical(src, dst);
    } finally {
      await sourceProxy.close();
      await targetProxy.close();
    }
  });

  it('a record whose shard has aged out of the stream is a gap: exit 1, with what to do', async () => {
    const { src, dst } = await liveSource(100);
    const options = localCopyOptions(...sides(src, dst), { follow: true, untilCaughtUp: true });
    expect((await runCopy(options)).exitCode).toBe(EXIT.ok);
    // As after 24 hours: the shard the record names (not read to its end) is no longer listed.
    const record = JSON.parse(readFileSync(options.checkpoint, 'utf8')) as CheckpointRecord;
    record.follow!.shards = [
      { shardId: 'shardId-00000001000000000000-0000dead', parentShardId: null, after: '5', done: false },
    ];
    writeFileSync(options.checkpoint, JSON.stringify(record));
    const resumed = await runCopy({ ...options, resume: true });
    expect(resumed.exitCode).toBe(EXIT.failed);
    expect(resumed.error?.code).toBe('STREAM_GAP');
    expect(resumed.error?.message).toMatch(/shardId-00000001000000000000-0000dead.*aged out/);
    expect(resumed.error?.hint).toMatch(/24 hours.*\brestart\b/);
  });

  it('masks apply to changes as to the copy: the followed target equals a fresh masked copy of the source', async () => {
    const { src, dst, seed } = await liveSource(600);
    const secretEnv = 'DDBCOPY_FOLLOW_TEST_SECRET';
    process.env[secretEnv] = 'a-long-enough-secret-for-follow-tests';
    try {
      const masks = { mask: ['pk=hash', 'kind=redact'], maskSecretEnv: secretEnv };
      const options = localCopyOptions(...sides(src, dst), {
        follow: true,
        untilCaughtUp: true,
        segments: '1',
        readRate: '60',
        ...masks,
      });
      const outcome = await copyWhileWriting(options, src, {
        existing: seed,
        changes: 150,
        seed: 8,
        prefix: 'masked',
      });
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.follow?.deletes).toBeGreaterThan(0);
      // The oracle: the final source copied afresh with the same masks and secret.
      const fresh = newAccount(endpoint, 'us-east-1');
      const copied = await runCopy(localCopyOptions(...sides(src, fresh), masks));
      expect(copied.error).toBeUndefined();
      const expected = itemsByKey(await scanAll(accountClient(fresh), 'orders'), ['pk', 'sk']);
      const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
      expect(target.size).toBe(expected.size);
      for (const [key, item] of expected) expect(target.get(key), key).toStrictEqual(item);
      // Masked keys: no source key reached the target.
      const sourceKeys = new Set((await scanAll(accountClient(src), 'orders')).map((item) => item.pk?.S));
      expect([...target.values()].filter((item) => sourceKeys.has(item.pk?.S))).toEqual([]);
    } finally {
      delete process.env[secretEnv];
    }
  });

  it('many tables follow at once (copy --tables ... --follow --until-caught-up)', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-east-1');
    const names = ['prod-a', 'prod-b', 'prod-c'];
    const seeds = new Map<string, ReturnType<typeof variedItems>>();
    for (const [i, name] of names.entries()) {
      await createTableAndWait(accountClient(src), {
        ...hashRangeTable(name, 'S', 'N'),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      });
      const items = variedItems(300, 20 + i, KEYS);
      await putItems(accountClient(src), name, items);
      seeds.set(name, items);
    }
    const options = validateTableSetOptions(
      {
        tables: 'prod-*',
        rename: ['prod-=staging-'],
        parallelTables: '1',
        sourceRegion: src.region,
        targetRegion: dst.region,
        sourceEndpointUrl: src.endpoint,
        targetEndpointUrl: dst.endpoint,
        checkpoint: path.join(os.tmpdir(), `ddbcopy-follow-set-${randomUUID()}.json`),
        follow: true,
        untilCaughtUp: true,
        readRate: '40',
        yes: true,
      },
      'copy',
    );
    const keys = (account: LocalAccount) => ({
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    const writers: Promise<unknown>[] = [];
    let started = false;
    const outcome = await runCopyTables(
      {
        ...options,
        source: { ...options.source, credentials: keys(src) },
        target: { ...options.target, credentials: keys(dst) },
      },
      {
        onEvent: (event) => {
          // Once the tables run (all at once, though --parallel-tables says 1: a follow never ends on its own).
          if (event.type === 'table-started' && !started) {
            started = true;
            for (const [i, name] of names.entries()) {
              writers.push(
                writeChanges(accountClient(src), name, {
                  existing: seeds.get(name)!,
                  changes: 60,
                  seed: 30 + i,
                  prefix: name,
                }),
              );
            }
          }
        },
      },
    );
    await Promise.all(writers);
    expect(outcome.error).toBeUndefined();
    expect(
      outcome.summary.tables.map((table) => (table as { follow?: { status: string } }).follow?.status),
    ).toEqual(['caught-up', 'caught-up', 'caught-up']);
    for (const name of names) {
      const source = itemsByKey(await scanAll(accountClient(src), name), ['pk', 'sk']);
      const target = itemsByKey(await scanAll(accountClient(dst), name.replace('prod-', 'staging-')), [
        'pk',
        'sk',
      ]);
      expect(target.size, name).toBe(source.size);
      for (const [key, item] of source) expect(target.get(key), `${name} ${key}`).toStrictEqual(item);
    }
  });
});
