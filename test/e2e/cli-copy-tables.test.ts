/**
 * A set of tables through the built CLI, as a user refreshes an environment: two local "accounts"
 * (profiles A and B), `copy --tables 'prod-*' --rename prod-=staging- --yes --json`; then a set killed
 * with SIGKILL mid-way and resumed through the fault proxy, which counts the requests each table gets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SetRecord } from '../../src/runs/tables/set-record.js';
import { variedItems } from '../fixtures/items.js';
import { hashOnlyTable, hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, runCli, spawnCli, userEnv } from '../harness/cli.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const SIZES: Record<string, number> = { 'prod-a': 3_000, 'prod-b': 2_000, 'prod-c': 1_200, 'prod-d': 600 };

describe('ddbcopy copy --tables (built CLI, two profiles)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;
  let proxy: FaultProxy;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-set-'));
    src = newAccount(endpoint, 'eu-west-1');
    const client = accountClient(src);
    for (const [name, count] of Object.entries(SIZES)) {
      await createTableAndWait(client, hashRangeTable(name, 'S', 'N'));
      await putItems(
        client,
        name,
        variedItems(count, count, { pk: { name: 'pk', type: 'S' }, sk: { name: 'sk', type: 'N' } }),
      );
    }
    await createTableAndWait(client, hashOnlyTable('dev-other', 'S'));
    proxy = await startFaultProxy({ upstream: endpoint });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function world(
    name: string,
    via = endpoint,
  ): { env: NodeJS.ProcessEnv; dst: LocalAccount; args: string[] } {
    const dst = newAccount(endpoint, 'eu-west-1');
    const env = userEnv(path.join(dir, name), { A: src, B: dst });
    const args = ['copy', '--tables', 'prod-*', '--rename', 'prod-=staging-'];
    args.push('--source-profile', 'A', '--target-profile', 'B');
    args.push('--source-endpoint-url', via, '--target-endpoint-url', via, '--yes', '--json');
    return { env, dst, args };
  }

  async function expectIdentical(dst: LocalAccount): Promise<void> {
    for (const name of Object.keys(SIZES)) {
      const [from, to] = await Promise.all([
        scanAll(accountClient(src), name),
        scanAll(accountClient(dst), name.replace('prod-', 'staging-')),
      ]);
      expect(to.length, name).toBe(SIZES[name]);
      const byKey = itemsByKey(to, ['pk', 'sk']);
      for (const [key, item] of itemsByKey(from, ['pk', 'sk']))
        expect(byKey.get(key), key).toStrictEqual(item);
    }
  }

  it('copies every selected table, renamed, with one JSON document for the set', async () => {
    const { env, dst, args } = world('plain');
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|\n\s+at /);
    const document = JSON.parse(result.stdout) as {
      command: string;
      status: string;
      tables: {
        source: { table: string };
        target: { table: string };
        status: string;
        items: { written: number };
      }[];
      totals: { tables: number; completed: number; failed: number; items: number };
    };
    expect(document.command).toBe('copy');
    expect(document.status).toBe('completed');
    expect(document.tables.map((t) => [t.source.table, t.target.table, t.status, t.items.written])).toEqual(
      Object.entries(SIZES).map(([name, count]) => [
        name,
        name.replace('prod-', 'staging-'),
        'completed',
        count,
      ]),
    );
    expect(document.totals).toMatchObject({ tables: 4, completed: 4, failed: 0, items: 6_800 });
    await expectIdentical(dst);
    // dev-other matched no glob: the target account holds the four renamed tables only.
    const { TableNames } = await accountClient(dst).send(new ListTablesCommand({}));
    expect(TableNames?.sort()).toEqual(['staging-a', 'staging-b', 'staging-c', 'staging-d']);

    // The set's verify with --quiet: one verdict line (warnings aside), as every command.
    const verify = [
      ...['verify', '--tables', 'prod-*', '--rename', 'prod-=staging-', '--source-profile', 'A'],
      ...['--target-profile', 'B', '--source-endpoint-url', endpoint, '--target-endpoint-url', endpoint],
    ];
    const quiet = await runCli([...verify, '--quiet'], env);
    expect(quiet.code, quiet.stderr).toBe(0);
    const lines = quiet.stderr
      .trimEnd()
      .split('\n')
      .filter((line) => !line.startsWith('warning: '));
    expect(lines).toEqual([expect.stringMatching(/^Verify completed: 4 tables: 4 completed; 6,800 items, /)]);
  }, 120_000);

  it('kill -9 mid-set, then --resume: finished tables get no request, the rest complete identical', async () => {
    const { env, dst, args } = world('killed', proxy.endpoint);
    const record = path.join(env.HOME!, 'set.json');
    // One table at a time, slowly: the kill lands after the first (biggest) table and before the last.
    const slow = [...args, '--checkpoint', record, '--parallel-tables', '1', '--write-rate', '4000'];
    const first = spawnCli(slow, env);
    let finished: string[] = [];
    for (let waited = 0; waited < 60_000 && finished.length === 0; waited += 50) {
      await delay(50);
      try {
        const set = JSON.parse(readFileSync(record, 'utf8')) as SetRecord;
        finished = set.tables.filter((t) => t.status === 'completed').map((t) => t.source);
      } catch {
        // Not written yet, or caught between rename and read.
      }
    }
    first.child.kill('SIGKILL');
    await first.done;
    expect(finished.length).toBeGreaterThan(0);
    const set = JSON.parse(readFileSync(record, 'utf8')) as SetRecord;
    const done = set.tables.filter((t) => t.status === 'completed');
    expect(done.length).toBeLessThan(4);

    proxy.reset();
    const resumed = await runCli([...args, '--checkpoint', record, '--resume'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const document = JSON.parse(resumed.stdout) as {
      status: string;
      totals: { doneBefore: number; completed: number };
    };
    expect(document.status).toBe('completed');
    expect(document.totals.doneBefore).toBe(done.length);
    expect(document.totals.completed).toBe(4 - done.length);
    const perTable = proxy.counts().requestsByTable;
    for (const entry of done) {
      expect(perTable[entry.source] ?? 0, entry.source).toBe(0);
      expect(perTable[entry.target] ?? 0, entry.target).toBe(0);
    }
    // The others were worked on in this run.
    for (const entry of set.tables.filter((t) => t.status !== 'completed')) {
      expect(perTable[entry.source] ?? 0, entry.source).toBeGreaterThan(0);
    }
    await expectIdentical(dst);
  }, 180_000);
});
