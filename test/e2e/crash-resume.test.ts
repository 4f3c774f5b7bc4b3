/**
 * The built CLI killed with SIGKILL at different points of a copy, then run again with --resume:
 * the target ends identical to the source every time. SIGINT stops gracefully with exit 130 and a
 * resumable record. The kill points come from the checkpoint file itself (items it says are written).
 * A resume writes again only what the record had not passed: at most one page (the run's own Scan
 * page size) per segment left unfinished, never the whole table.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, copyArgs, runCli, spawnCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  countItems,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const ITEMS = 12_000;
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

describe('crash and resume (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;
  let sourceItems: Map<string, unknown>;
  /** Items per Scan page in these copies, from the run's own plan (a dry run of the same command). */
  let pageSize: number;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-crash-'));
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(ITEMS, 21, KEYS));
    sourceItems = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
    const { env, args } = setup('plan');
    const dryRun = await runCli([...args, '--dry-run'], env);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    pageSize = JSON.parse(dryRun.stdout).plan.scanLimit;
    expect(pageSize).toBeGreaterThan(0);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function setup(name: string): {
    env: NodeJS.ProcessEnv;
    args: string[];
    checkpoint: string;
    dst: LocalAccount;
  } {
    const dst = newAccount(endpoint, 'us-east-1');
    const home = path.join(dir, name);
    const env = userEnv(home, { src, dst });
    const checkpoint = path.join(home, 'run.json');
    // A write rate keeps the copy a few seconds long, so each kill point is reached mid-copy.
    const args = [...copyArgs('orders', endpoint, endpoint), '--yes', '--json'];
    args.push('--segments', '6', '--write-rate', '6000', '--checkpoint', checkpoint);
    return { env, args, checkpoint, dst };
  }

  function writtenSoFar(checkpoint: string): number {
    try {
      return (JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord).totals.itemsWritten;
    } catch {
      return -1; // not written yet, or caught between rename and read
    }
  }

  /**
   * Items written twice across the interrupted run and the resume: what the target held when the first
   * run stopped plus what the resume wrote, beyond the table. Never negative (nothing skipped); at most
   * one page per segment the record left unfinished (a resume that ignored the record re-copies all).
   */
  function expectRecopiedAtMostAPagePerSegment(
    heldAtStop: number,
    resumeWrote: number,
    record: CheckpointRecord,
  ): number {
    const recopied = heldAtStop + resumeWrote - ITEMS;
    const unfinished = record.segments.filter((s) => !s.done).length;
    expect(recopied, `re-copied ${recopied}`).toBeGreaterThanOrEqual(0);
    expect(
      recopied,
      `re-copied ${recopied}; ${unfinished} segment(s) of ${pageSize}-item pages unfinished`,
    ).toBeLessThanOrEqual(pageSize * unfinished);
    return recopied;
  }

  async function expectTargetIdentical(dst: LocalAccount): Promise<void> {
    const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
    expect(target.size).toBe(sourceItems.size);
    for (const [key, item] of sourceItems) expect(target.get(key), key).toStrictEqual(item);
  }

  // Kill points: as soon as a record exists, then at growing fractions of the table; the last trial
  // copies on two threads (--workers 2), whose segment states reach the checkpoint from both.
  const killPoints = [0, 0.15, 0.4, 0.65, 0.9, 0.5];
  it.each(killPoints.map((fraction, trial) => [trial, fraction]))(
    'trial %i: SIGKILL after %f of the items, then --resume: identical',
    async (trial, fraction) => {
      const { env, args: base, checkpoint, dst } = setup(`kill-${trial}`);
      const args = trial === killPoints.length - 1 ? [...base, '--workers', '2'] : base;
      const run = spawnCli(args, env);
      const threshold = Math.floor(ITEMS * fraction);
      let exited = false;
      void run.done.then(() => {
        exited = true;
      });
      while (!exited && writtenSoFar(checkpoint) < threshold) await delay(5);
      expect(exited, 'the copy finished before the kill point; slow it down').toBe(false);
      run.child.kill('SIGKILL');
      expect((await run.done).code).toBe(137);
      expect(existsSync(checkpoint)).toBe(true);
      const record = JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord;
      const killedAt = record.totals.itemsWritten;
      // Everything the record counts is in the target, and perhaps a few batches it had not recorded yet.
      const heldAtKill = await countItems(accountClient(dst), 'orders');
      expect(heldAtKill).toBeGreaterThanOrEqual(killedAt);

      const resumed = await runCli([...args, '--resume'], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = JSON.parse(resumed.stdout);
      expect(summary).toMatchObject({ status: 'completed', resumed: true, schema: { action: 'kept' } });
      expect(summary.items.writtenBefore).toBe(killedAt);
      const recopied = expectRecopiedAtMostAPagePerSegment(heldAtKill, summary.items.written, record);
      console.log(
        `trial ${trial}: killed at ${killedAt} items recorded, ${heldAtKill} in the target; resume wrote ${summary.items.written} (re-copied ${recopied})`,
      );
      await expectTargetIdentical(dst);
    },
    90_000,
  );

  it('SIGINT stops gracefully: exit 130, a resumable record, the resume command printed', async () => {
    const { env, args, checkpoint, dst } = setup('sigint');
    const run = spawnCli(args, env);
    while (writtenSoFar(checkpoint) < ITEMS / 3) await delay(5);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const interrupted = JSON.parse(result.stdout);
    expect(interrupted.status).toBe('interrupted');
    expect(result.stderr).toContain('To continue where it stopped: ddbcopy copy --source orders');
    expect(result.stderr).toContain('--resume');
    const record = JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord;
    expect(record.phase).toBe('copying');

    const again = await runCli(args, env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('An unfinished copy of these tables is recorded in');

    const resumed = await runCli([...args, '--resume'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.items.writtenBefore).toBe(record.totals.itemsWritten);
    expectRecopiedAtMostAPagePerSegment(interrupted.items.written, summary.items.written, record);
    await expectTargetIdentical(dst);
  }, 90_000);
});
