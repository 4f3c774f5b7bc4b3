/**
 * Ctrl-C at a low write rate stops the copy at once (issue "the first hour", item 1): no batch is taken
 * from the queue after the signal, only the requests already sent finish. Bounded by items, not by
 * time (the machines are shared): after SIGINT, at most the requests in flight (--concurrency × 25
 * items) are written. Then --resume finishes the copy, identical.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const ITEMS = 4_000;
const CONCURRENCY = 4;
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

describe('Ctrl-C at a low write rate (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-interrupt-'));
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(ITEMS, 33, KEYS));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stops taking batches: at most the requests in flight are written after SIGINT; exit 130; resume finishes', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const env = userEnv(path.join(dir, 'run'), { src, dst });
    const checkpoint = path.join(env.HOME!, 'run.json');
    // 300 WCU/s: the queue ahead of the writers holds far more than the requests in flight.
    const args = [...copyArgs('orders', endpoint, endpoint), '--yes', '--json', '--checkpoint', checkpoint];
    args.push('--write-rate', '300', '--concurrency', String(CONCURRENCY), '--segments', '4');
    const run = spawnCli(args, env);
    let written = 0;
    for (let waited = 0; written < 300 && waited < 60_000; waited += 20) {
      await delay(20);
      try {
        written = (JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord).totals.itemsWritten;
      } catch {
        // Not written yet, or caught between rename and read.
      }
    }
    const startedAt = performance.now();
    run.child.kill('SIGINT');
    const result = await run.done;
    const stoppedMs = performance.now() - startedAt;
    expect(result.code, result.stderr).toBe(130);
    const summary = JSON.parse(result.stdout) as { status: string; items: { written: number } };
    expect(summary.status).toBe('interrupted');
    // The checkpoint said `written` just before the signal; the copy may write what was already sent
    // (and what went out between that read and the signal, at 300 WCU/s: a few batches).
    const inFlight = CONCURRENCY * 25;
    expect(summary.items.written - written).toBeLessThanOrEqual(inFlight + 300);
    expect(summary.items.written).toBeLessThan(ITEMS);
    expect(result.stderr).toContain('--resume');
    console.log(
      `SIGINT → exit in ${Math.round(stoppedMs)} ms; ${summary.items.written - written} items written after it`,
    );

    const resumed = await runCli(
      [...args.filter((a) => a !== '--write-rate' && a !== '300'), '--resume'],
      env,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const [from, to] = await Promise.all([
      scanAll(accountClient(src), 'orders'),
      scanAll(accountClient(dst), 'orders'),
    ]);
    expect(to.length).toBe(ITEMS);
    const byKey = itemsByKey(to, ['pk', 'sk']);
    for (const [key, item] of itemsByKey(from, ['pk', 'sk'])) expect(byKey.get(key), key).toStrictEqual(item);
  }, 120_000);
});
