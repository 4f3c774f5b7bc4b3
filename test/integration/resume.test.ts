/**
 * Checkpoint and resume against DynamoDB Local: an interrupted copy saves where each segment got to;
 * `--resume` continues without recreating the target, re-copies at most one page per unfinished
 * segment, and ends identical; a record that does not belong to this copy is refused before anything
 * is touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import type { CopyPlan } from '../../src/plan/copy-plan.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
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
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

async function seeded(count: number): Promise<{ src: LocalAccount; dst: LocalAccount }> {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'us-east-1');
  await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
  await putItems(accountClient(src), 'orders', variedItems(count, 5, KEYS));
  return { src, dst };
}

async function expectIdentical(src: LocalAccount, dst: LocalAccount): Promise<void> {
  const source = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
  const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
  expect(target.size).toBe(source.size);
  for (const [key, item] of source) expect(target.get(key), key).toStrictEqual(item);
}

describe('checkpoint and resume', () => {
  it('an interrupted copy resumes from its checkpoint without recreating the target', async () => {
    // Two segments of about four pages each, interrupted midway: the interrupted run has written more
    // than the bound below allows to be written twice, so a resume that ignores the record breaks it.
    const total = 8000;
    const { src, dst } = await seeded(total);
    const options = localCopyOptions(
      { account: src, table: 'orders' },
      { account: dst, table: 'orders' },
      { segments: '2', concurrency: '2' },
    );
    const controller = new AbortController();
    let plan: CopyPlan | undefined;
    const first = await runCopy(options, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'plan') plan = event.plan;
        if (event.type === 'copy-started') {
          const timer = setInterval(() => {
            if (event.stats.itemsWritten >= 3000) {
              clearInterval(timer);
              controller.abort();
            }
          }, 5);
        }
      },
    });
    expect(first.summary.status).toBe('interrupted');
    expect(first.error?.exitCode).toBe(EXIT.interrupted);
    expect(first.error?.hint).toContain('resume');
    expect(first.summary.checkpoint).toBe(options.checkpoint);
    const record = JSON.parse(readFileSync(options.checkpoint, 'utf8')) as CheckpointRecord;
    expect(record.phase).toBe('copying');
    expect(record.totalSegments).toBe(2);
    expect(record.totals.itemsWritten).toBeGreaterThanOrEqual(3000);
    expect(record.totals.itemsWritten).toBeLessThan(total);
    // Everything the record says was written is in the target (it advances only after acknowledgement).
    expect((await scanAll(accountClient(dst), 'orders')).length).toBeGreaterThanOrEqual(
      record.totals.itemsWritten,
    );
    expect(JSON.stringify(record)).not.toContain(src.secretAccessKey);

    const second = await runCopy({ ...options, resume: true });
    expect(second.error).toBeUndefined();
    expect(second.summary).toMatchObject({ status: 'completed', resumed: true, schema: { action: 'kept' } });
    expect(second.summary.items.writtenBefore).toBe(record.totals.itemsWritten);
    await expectIdentical(src, dst);
    const done = JSON.parse(readFileSync(options.checkpoint, 'utf8')) as CheckpointRecord;
    expect(done.phase).toBe('completed');
    expect(done.segments.every((s) => s.done)).toBe(true);
    expect(done.totals.itemsWritten).toBe(total);

    // The resume re-copied at most one page per segment the interruption left unfinished.
    const pageSize = plan!.scanLimit;
    const unfinished = record.segments.filter((s) => !s.done).length;
    const recopied = first.summary.items.written + second.summary.items.written - total;
    expect(recopied).toBeGreaterThanOrEqual(0);
    expect(
      recopied,
      `re-copied ${recopied}; ${unfinished} segment(s) of ${pageSize}-item pages unfinished`,
    ).toBeLessThanOrEqual(pageSize * unfinished);
    // ...and the bound is tight enough to matter: copying the whole table again would have broken it.
    expect(first.summary.items.written).toBeGreaterThan(pageSize * unfinished);
  });

  it('refuses to start over a copy whose unfinished record exists, until told --resume or --restart', async () => {
    const { src, dst } = await seeded(300);
    const options = localCopyOptions({ account: src, table: 'orders' }, { account: dst, table: 'orders' });
    const controller = new AbortController();
    controller.abort();
    // Interrupted before the copy starts: no record yet, nothing to refuse.
    const early = await runCopy(options, { signal: controller.signal });
    expect(early.summary.status).toBe('interrupted');
    expect(early.summary.checkpoint).toBeNull();

    const record: CheckpointRecord = JSON.parse(
      JSON.stringify({
        version: 1,
        tool: 'ddbcopy',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        owner: { pid: 999999, host: 'elsewhere' },
        source: { table: 'orders', region: src.region, endpoint },
        target: { table: 'orders', region: dst.region, endpoint },
        optionsHash: 'x',
        phase: 'copying',
        totalSegments: 1,
        keyAttributes: ['pk', 'sk'],
        segments: [{ segment: 0, startKey: null, done: false, itemsWritten: 0 }],
        totals: { itemsWritten: 0, bytesWritten: 0, consumedRead: 0, consumedWrite: 0 },
      }),
    );
    writeFileSync(options.checkpoint, JSON.stringify(record));
    const refused = await runCopy({ ...options, yes: true });
    expect(refused.error?.code).toBe('CHECKPOINT');
    expect(refused.error?.exitCode).toBe(EXIT.badInput);
    expect(refused.error?.hint).toMatch(/\bresume\b.*\brestart\b/);

    // The record was made with other options: --resume refuses it and names the way out.
    const mismatched = await runCopy({ ...options, resume: true });
    expect(mismatched.error?.code).toBe('CHECKPOINT');
    expect(mismatched.error?.message).toContain('other copy options');
    expect(await scanAll(accountClient(dst), 'orders').catch(() => 'absent')).toBe('absent');

    const restarted = await runCopy({ ...options, yes: true, restart: true });
    expect(restarted.error).toBeUndefined();
    await expectIdentical(src, dst);
  });

  it('refuses a record made for other tables, a corrupt record, and --resume without a record', async () => {
    const { src, dst } = await seeded(50);
    const options = localCopyOptions({ account: src, table: 'orders' }, { account: dst, table: 'orders' });
    const missing = await runCopy({ ...options, resume: true });
    expect(missing.error?.code).toBe('CHECKPOINT');
    expect(missing.error?.message).toContain('no checkpoint to resume from');

    await runCopy(options);
    const record = JSON.parse(readFileSync(options.checkpoint, 'utf8')) as CheckpointRecord;
    writeFileSync(
      options.checkpoint,
      JSON.stringify({ ...record, phase: 'copying', target: { ...record.target, table: 'other' } }),
    );
    const other = await runCopy({ ...options, resume: true });
    expect(other.error?.code).toBe('CHECKPOINT');
    expect(other.error?.message).toMatch(/records a copy of 'orders'.*to 'other'/);

    writeFileSync(options.checkpoint, '{"tool":"ddbcopy","vers');
    const corrupt = await runCopy({ ...options, resume: true });
    expect(corrupt.error?.code).toBe('CHECKPOINT');
    expect(corrupt.error?.message).toContain('is corrupt');
  });

  it('checkpoints are private to the user (mode 0600)', async () => {
    const { src, dst } = await seeded(20);
    const options = localCopyOptions({ account: src, table: 'orders' }, { account: dst, table: 'orders' });
    await runCopy(options);
    const { statSync } = await import('node:fs');
    expect(statSync(options.checkpoint).mode & 0o777).toBe(0o600);
  });
});
