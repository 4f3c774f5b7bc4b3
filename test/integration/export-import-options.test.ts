/**
 * The options of export and import beyond the round trip, on DynamoDB Local: `--key` for an export
 * without a table definition (AWS's own), `--write-rate` on import (measured at a proxy in front of the
 * target), `--read-rate` on export.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parseKeySpec } from '../../src/model/key-spec.js';
import { runExport } from '../../src/runs/export/run-export.js';
import { type ImportOptions, runImport } from '../../src/runs/import/run-import.js';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { AWS_ITEMS, lines, writeAwsExport } from '../harness/aws-export.js';
import { localSideConfig as side } from '../harness/copy-options.js';
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
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-export-options-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

function importOptions(
  account: LocalAccount,
  table: string,
  from: string,
  extra: Partial<ImportOptions> = {},
): ImportOptions {
  return {
    from,
    target: side(account, table),
    yes: true,
    concurrency: undefined,
    checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
    ...extra,
  };
}

async function exported(count: number, name: string): Promise<{ src: LocalAccount; out: string }> {
  const src = newAccount(endpoint, 'eu-west-1');
  await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
  await putItems(accountClient(src), 'orders', variedItems(count, 11, KEYS));
  const out = path.join(scratch, name);
  const outcome = await runExport({
    source: side(src, 'orders'),
    out,
    segments: 4,
    consistentRead: false,
  });
  expect(outcome.error).toBeUndefined();
  return { src, out };
}

describe('import --key (an export without a table definition)', () => {
  it('creates an on-demand table with that key and imports every item', async () => {
    const made = writeAwsExport(path.join(scratch, 'no-definition'), [lines(AWS_ITEMS)], false);
    const dst = newAccount(endpoint);
    const outcome = await runImport(
      importOptions(dst, 'Products', made.root, { key: parseKeySpec('pk:S,sk:N') }),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.schema.definition).toBe('key');
    expect(outcome.summary.items.written).toBe(AWS_ITEMS.length);
    const { Table } = await accountClient(dst).send(new DescribeTableCommand({ TableName: 'Products' }));
    expect(Table?.KeySchema).toStrictEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect((await scanAll(accountClient(dst), 'Products')).length).toBe(AWS_ITEMS.length);
  });

  it('a key the items do not have: refused before anything is written', async () => {
    const made = writeAwsExport(path.join(scratch, 'wrong-key'), [lines(AWS_ITEMS)], false);
    const dst = newAccount(endpoint);
    const outcome = await runImport(
      importOptions(dst, 'Products', made.root, { key: parseKeySpec('pk:S,sk:S') }),
    );
    expect(outcome.summary.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/line 1: The item .* has key attribute 'sk' of type N, not S/);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.summary.items.written).toBe(0);
    await expect(
      accountClient(dst).send(new DescribeTableCommand({ TableName: 'Products' })),
    ).rejects.toThrow(/not found|non-existent|ResourceNotFound/i);
  });

  it('--key disagreeing with the export’s own definition: exit 2, nothing created', async () => {
    const made = writeAwsExport(path.join(scratch, 'with-definition'), [lines(AWS_ITEMS)], true);
    const dst = newAccount(endpoint);
    const outcome = await runImport(importOptions(dst, 'Products', made.root, { key: parseKeySpec('id:S') }));
    expect(outcome.error?.code).toBe('INVALID_OPTION');
    expect(outcome.error?.message).toContain('key id:S disagrees');
    expect(outcome.exitCode).toBe(2);
    expect(outcome.summary.schema.action).toBe('none');
  });
});

describe('import --resume', () => {
  it('an interrupted import resumes from its checkpoint without recreating the target', async () => {
    const { src, out } = await exported(4000, 'resume');
    const dst = newAccount(endpoint, 'us-east-1');
    // Paced, so the interruption lands inside a page rather than after the whole import.
    const options = importOptions(dst, 'orders', out, {
      concurrency: 2,
      writeRate: { kind: 'units', units: 2000 },
    });
    const controller = new AbortController();
    // Stop once the checkpoint records a quarter of the items written.
    const timer = setInterval(() => {
      try {
        const record = JSON.parse(readFileSync(options.checkpoint!, 'utf8')) as CheckpointRecord;
        if (record.totals.itemsWritten >= 1000) controller.abort();
      } catch {
        // Not written yet, or being replaced.
      }
    }, 5);
    const first = await runImport(options, { signal: controller.signal });
    clearInterval(timer);
    expect(first.summary.status).toBe('interrupted');
    expect(first.error?.hint).toContain('resume');
    const record = JSON.parse(readFileSync(options.checkpoint!, 'utf8')) as CheckpointRecord;
    expect(record.phase).toBe('copying');
    expect(record.totals.itemsWritten).toBeGreaterThanOrEqual(1000);
    expect(record.totals.itemsWritten).toBeLessThan(4000);
    // Some segment stopped inside its file: its resume point is the key of the last batch written.
    expect(record.segments.some((s) => !s.done && s.startKey)).toBe(true);
    // A plain rerun is refused: it names both ways on.
    const plain = await runImport(options);
    expect(plain.error?.code).toBe('CHECKPOINT');
    expect(plain.error?.hint).toMatch(/\bresume\b.*\brestart\b/);

    const second = await runImport({ ...options, resume: true });
    expect(second.error).toBeUndefined();
    expect(second.summary.checkpoint.resumed).toBe(true);
    expect(second.summary.schema.action).toBe('kept');
    expect(second.summary.items.writtenBefore).toBe(record.totals.itemsWritten);
    // An interrupt stops between batches: each unfinished segment resumes after the last batch the
    // target acknowledged in order, so what is written twice is at most a page (1,000 lines) of each.
    const unfinished = record.segments.filter((s) => !s.done).length;
    const rewritten = second.summary.items.written - (4000 - record.totals.itemsWritten);
    expect(rewritten).toBeGreaterThanOrEqual(0);
    expect(rewritten).toBeLessThanOrEqual(unfinished * 1000);
    const source = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
    const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
    expect(target).toStrictEqual(source);
  }, 60_000);
});

describe('rates', () => {
  it('import --write-rate: the target sees no more than the rate', async () => {
    const { src, out } = await exported(1500, 'write-rate');
    const dst = newAccount(endpoint, 'us-east-1');
    const proxy = await startFaultProxy({ upstream: endpoint });
    try {
      const rate = 300;
      const outcome = await runImport({
        ...importOptions(dst, 'orders', out, { writeRate: { kind: 'units', units: rate } }),
        target: side(dst, 'orders', proxy.endpoint),
      });
      expect(outcome.error).toBeUndefined();
      const peak = peakWriteUnitsPerSecond(proxy.writeLog(), 3_000);
      console.log(
        `import --write-rate ${rate}: peak 3 s average ${peak.toFixed(0)} WCU/s (${((peak / rate) * 100).toFixed(1)} %)`,
      );
      // One batch (25 items of at most a few KB) may run ahead of the bucket.
      expect(peak).toBeLessThanOrEqual(rate * 1.1 + 100 / 3);
      const source = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
      const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
      expect(target).toStrictEqual(source);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('export --read-rate: the scan is paced by the read capacity DynamoDB reports', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(1500, 12, KEYS));
    const rate = 40;
    const outcome = await runExport({
      source: side(src, 'orders'),
      out: path.join(scratch, 'read-rate'),
      segments: 4,
      consistentRead: false,
      readRate: { kind: 'units', units: rate },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.items.written).toBe(1500);
    const consumed = outcome.summary.consumedCapacity.read;
    expect(consumed).toBeGreaterThan(0);
    // The first page passes at once; everything after it waits for the bucket (a lower bound only).
    const pages = 4;
    const minimumMs = ((consumed * (pages - 1)) / pages / rate) * 1000 * 0.8;
    console.log(
      `export --read-rate ${rate}: ${consumed} RCU in ${outcome.summary.durationMs} ms (at least ${minimumMs.toFixed(0)} ms expected)`,
    );
    expect(outcome.summary.durationMs).toBeGreaterThanOrEqual(minimumMs);
  }, 60_000);
});
