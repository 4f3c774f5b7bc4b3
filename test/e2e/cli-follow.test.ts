/**
 * The built CLI following a live source: killed with SIGKILL while it follows, then `--resume
 * --until-caught-up` applies exactly the changes after the position it had saved (none lost, none
 * twice beyond that), and the target ends identical; Ctrl-C stops with exit 130; `ddbcopy follow`
 * brings a target copied earlier up to date; no stream: exit 2 with the command that enables one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { type Item, variedItems } from '../fixtures/items.js';
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
import { writeChanges } from '../harness/stream-writer.js';

const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

describe('follow (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;

  beforeAll(() => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-follow-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function setup(
    name: string,
    items: number,
    stream = true,
  ): Promise<{
    src: LocalAccount;
    dst: LocalAccount;
    env: NodeJS.ProcessEnv;
    checkpoint: string;
    seed: Item[];
  }> {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-east-1');
    await createTableAndWait(accountClient(src), {
      ...hashRangeTable('orders', 'S', 'N'),
      ...(stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
        : {}),
    });
    const seed = variedItems(items, 31, KEYS);
    await putItems(accountClient(src), 'orders', seed);
    const home = path.join(dir, name);
    return { src, dst, env: userEnv(home, { src, dst }), checkpoint: path.join(home, 'run.json'), seed };
  }

  function record(checkpoint: string): CheckpointRecord | undefined {
    try {
      return JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord;
    } catch {
      return undefined; // not written yet, or caught between rename and read
    }
  }

  async function expectIdentical(src: LocalAccount, dst: LocalAccount): Promise<void> {
    const source = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
    const target = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
    expect(
      [...target.keys()].filter((key) => !source.has(key)),
      'extra on the target',
    ).toEqual([]);
    for (const [key, item] of source) expect(target.get(key), key).toStrictEqual(item);
  }

  it('SIGKILL while following, then --resume --until-caught-up: exactly the changes after the saved position', async () => {
    const { src, dst, env, checkpoint, seed } = await setup('kill', 2000);
    const args = [...copyArgs('orders', endpoint, endpoint), '--yes', '--json', '--checkpoint', checkpoint];
    const run = spawnCli([...args, '--follow'], env);
    // Wait for the follow (the copy is recorded complete), then change the source while it follows.
    while (record(checkpoint)?.phase !== 'completed') await delay(20);
    const changes = 1500;
    const writer = writeChanges(accountClient(src), 'orders', {
      existing: seed,
      changes,
      seed: 9,
      prefix: 'live',
    });
    // Killed mid-follow: once the record says a few hundred of the writer's changes are applied.
    while ((record(checkpoint)?.follow?.totals.records ?? 0) < seed.length + 300) await delay(10);
    run.child.kill('SIGKILL');
    expect((await run.done).code).toBe(137);
    await writer;
    const saved = record(checkpoint)!;
    expect(saved.follow!.totals.records).toBeLessThan(seed.length + changes);

    const resumed = await runCli([...args, '--follow', '--resume', '--until-caught-up'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.status).toBe('completed');
    expect(summary.items.written).toBe(0);
    expect(summary.follow.status).toBe('caught-up');
    // The stream holds one record per seeded item and per change; the resume reads exactly those
    // after the saved position: nothing lost, nothing applied twice beyond what the record said.
    expect(summary.follow.records).toBe(seed.length + changes - saved.follow!.totals.records);
    await expectIdentical(src, dst);
  });

  it('Ctrl-C while following: exit 130, status interrupted, and the command to continue', async () => {
    const { env, checkpoint } = await setup('sigint', 300);
    const args = [...copyArgs('orders', endpoint, endpoint), '--yes', '--json', '--checkpoint', checkpoint];
    const run = spawnCli([...args, '--follow'], env);
    while (record(checkpoint)?.phase !== 'completed') await delay(20);
    await delay(500);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('interrupted');
    expect(summary.follow.status).toBe('interrupted');
    expect(result.stderr).toMatch(/To continue where it stopped: .*--resume/);
    // The same command again (from shell history) neither starts over nor recreates the target.
    const again = await runCli([...args, '--follow'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/unfinished copy.*Pass --resume/s);
  });

  it('`ddbcopy follow` brings a target copied earlier up to date with the changes since', async () => {
    const { src, dst, env, checkpoint, seed } = await setup('follow-command', 500);
    const copied = await runCli([...copyArgs('orders', endpoint, endpoint), '--yes'], env);
    expect(copied.code, copied.stderr).toBe(0);
    await writeChanges(accountClient(src), 'orders', {
      existing: seed,
      changes: 200,
      seed: 5,
      prefix: 'later',
    });
    const followArgs = copyArgs('orders', endpoint, endpoint).slice(1);
    const result = await runCli(
      ['follow', ...followArgs, '--until-caught-up', '--json', '--checkpoint', checkpoint],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ command: 'follow', status: 'caught-up', from: 'trim-horizon' });
    // From the oldest record: the seed's 500 puts (replayed, harmless) and the 200 changes.
    expect(summary.follow.records).toBe(700);
    await expectIdentical(src, dst);

    // --quiet: one verdict line (warnings aside), as every command; a record of its own to start anew.
    const quiet = await runCli(
      ['follow', ...followArgs, '--until-caught-up', '--quiet', '--checkpoint', `${checkpoint}.quiet`],
      env,
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    const lines = quiet.stderr
      .trimEnd()
      .split('\n')
      .filter((line) => !line.startsWith('warning: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Follow caught-up: orders -> orders, 700 change\(s\) read, [\d.]+ s behind\.$/);
  });

  it('copy --follow of a source without a stream: exit 2, nothing created, the command that enables one', async () => {
    const { dst, env } = await setup('no-stream', 10, false);
    const result = await runCli([...copyArgs('orders', endpoint, endpoint), '--yes', '--follow'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES',
    );
    await expect(scanAll(accountClient(dst), 'orders')).rejects.toThrow(/non-existent table|not found/i);
  });
});
