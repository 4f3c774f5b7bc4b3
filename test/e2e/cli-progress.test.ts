/**
 * How copy, export, import and verify report, as a user sees it (the built CLI, no terminal): numbered
 * steps without gaps, the same summary block with thousands separators, --quiet's one verdict line,
 * --progress json (one JSON event per line on stderr, apart from stdout's --json document),
 * --log-file (timestamped lines appended; a bad path is bad input), and a resumed copy whose totals
 * and summary count what the first run did.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, copyArgs, runCli, spawnCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
} from '../harness/local-accounts.js';

const ITEMS = 3_000;
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /;

async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

/** The `[n/total]` step lines of a run's stderr, as numbers. */
function stepNumbers(stderr: string): { numbers: number[]; totals: number[] } {
  const steps = [...stderr.matchAll(/^\[(\d+)\/(\d+)\] /gm)];
  return { numbers: steps.map((m) => Number(m[1])), totals: steps.map((m) => Number(m[2])) };
}

/** Every stage numbered once or more, in order, from 1 to the total given up front: no gap, no jump. */
function expectConsecutiveSteps(stderr: string, total: number): void {
  const { numbers, totals } = stepNumbers(stderr);
  expect(new Set(totals), stderr).toEqual(new Set([total]));
  expect([...new Set(numbers)], stderr).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(numbers, stderr).toEqual([...numbers].sort((a, b) => a - b));
}

describe('progress and output (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-progress-'));
    src = newAccount(endpoint, 'eu-west-1');
    // One global index: a resumed copy's summary must show the target's real schema.
    const table = hashRangeTable('orders', 'S', 'N');
    table.AttributeDefinitions?.push({ AttributeName: 'customerId', AttributeType: 'S' });
    table.GlobalSecondaryIndexes = [
      {
        IndexName: 'byCustomer',
        KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ];
    await createTableAndWait(accountClient(src), table);
    await putItems(accountClient(src), 'orders', variedItems(ITEMS, 8, KEYS));
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function world(name: string): { env: NodeJS.ProcessEnv; home: string; dst: LocalAccount } {
    const dst = newAccount(endpoint, 'us-east-1');
    const home = path.join(dir, name);
    return { env: userEnv(home, { src, dst }), home, dst };
  }

  const exportArgs = (out: string): string[] => [
    'export',
    ...['--source', 'orders', '--source-profile', 'src', '--source-endpoint-url', endpoint],
    ...['--out', out],
  ];
  const importArgs = (from: string, target: string): string[] => [
    'import',
    ...['--from', from, '--target', target, '--target-profile', 'dst', '--target-endpoint-url', endpoint],
    '--yes',
  ];

  it('copy, export and import: steps 1..n without gaps, one summary block layout, thousands separators', async () => {
    const { env, home } = world('family');
    const copied = await runCli([...copyArgs('orders', endpoint, endpoint), '--yes'], env);
    expect(copied.code, copied.stderr).toBe(0);
    // connect, describe, the target (create), the items: the target did not exist, no number skipped.
    expectConsecutiveSteps(copied.stderr, 4);
    expect(copied.stderr).toMatch(/^Copy completed: orders /m);
    expect(copied.stderr).toContain('  items      3,000 written of 3,000 scanned');
    expect(copied.stderr).toMatch(/^ {2}capacity {3}[\d,]+ RCU read, [\d,]+ WCU written$/m);

    // verify: its five steps every time, the drill-down said not needed when the digests match.
    const verified = await runCli(
      [
        'verify',
        ...['--source', 'orders', '--target', 'orders', '--source-profile', 'src', '--target-profile', 'dst'],
        ...['--source-endpoint-url', endpoint, '--target-endpoint-url', endpoint],
      ],
      env,
    );
    expect(verified.code, verified.stderr).toBe(0);
    expectConsecutiveSteps(verified.stderr, 5);
    expect(verified.stderr).toMatch(/^\[5\/5\] No drill-down needed: all \d+ bucket\(s\) match$/m);

    const out = path.join(home, 'out');
    const exported = await runCli(exportArgs(out), env);
    expect(exported.code, exported.stderr).toBe(0);
    expectConsecutiveSteps(exported.stderr, 4);
    expect(exported.stderr).toMatch(/^Export completed: orders .* -> .*AWSDynamoDB/m);
    expect(exported.stderr).toContain('  items      3,000 written of 3,000 scanned');
    expect(exported.stderr).toMatch(/^ {2}duration {3}.+ items\/s, \d+ segments\)$/m);

    const imported = await runCli(importArgs(out, 'restored'), env);
    expect(imported.code, imported.stderr).toBe(0);
    expectConsecutiveSteps(imported.stderr, 5);
    expect(imported.stderr).toMatch(/^Import completed: .* -> restored /m);
    expect(imported.stderr).toMatch(/^ {2}schema {5}created$/m);
    expect(imported.stderr).toContain('  items      3,000 written from');
    // Without a terminal, the progress line is timestamped; the last one counts everything.
    expect(imported.stderr).toMatch(/^\S+Z imported 3,000\/3,000 items \(100%\), .* WCU\/s, .* RCU\/s/m);
  }, 180_000);

  it('--quiet prints exactly one verdict line for copy, export, import and verify', async () => {
    const { env, home } = world('quiet');
    const out = path.join(home, 'out');
    const runs: [string, string[], RegExp][] = [
      [
        'copy',
        [...copyArgs('orders', endpoint, endpoint), '--yes'],
        /^Copy completed: 3,000 item\(s\) in 'orders'/,
      ],
      ['export', exportArgs(out), /^Export completed: 3,000 item\(s\) in \d+ file\(s\) to /],
      ['import', importArgs(out, 'again'), /^Import completed: 3,000 item\(s\) in 'again'/],
      [
        'verify',
        [
          'verify',
          ...[
            '--source',
            'orders',
            '--target',
            'orders',
            '--source-profile',
            'src',
            '--target-profile',
            'dst',
          ],
          ...['--source-endpoint-url', endpoint, '--target-endpoint-url', endpoint],
        ],
        /^Verify: identical: orders /,
      ],
    ];
    for (const [name, args, verdict] of runs) {
      const result = await runCli([...args, '--quiet'], env);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      // Warnings stay (they say what was not copied: DynamoDB Local reports no tags); else one line.
      const lines = result.stderr
        .trimEnd()
        .split('\n')
        .filter((line) => !line.startsWith('warning: '));
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(verdict);
    }
  }, 240_000);

  it('--progress json: each stderr line one JSON event (step, progress with WCU/s and caps, finished); stdout keeps --json', async () => {
    const { env } = world('json');
    const result = await runCli(
      [
        ...copyArgs('orders', endpoint, endpoint),
        ...['--yes', '--json', '--progress', 'json', '--write-rate', '4000'],
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'copy', status: 'completed' });
    const events = result.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const event of events) {
      expect(event).toMatchObject({ command: 'copy' });
      expect(new Date(event.ts as string).toISOString()).toBe(event.ts);
    }
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('step');
    expect(types.at(-1)).toBe('finished');
    expect(types).not.toContain('message');
    const steps = events.filter((event) => event.type === 'step');
    expect(steps.map((step) => step.number)).toEqual([1, 2, 3, 4]);
    expect(steps[0]).toMatchObject({ name: 'connect', total: 4 });
    const progress = events.filter((event) => event.type === 'progress').at(-1);
    expect(progress).toMatchObject({
      items: ITEMS,
      itemsExpected: ITEMS,
      writeRateCap: 4000,
      readRateCap: null,
    });
    expect(typeof progress?.wcuPerSecond).toBe('number');
    expect(typeof progress?.rcuPerSecond).toBe('number');
    expect((progress?.consumedCapacity as { write: number } | undefined)?.write).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(events.at(-1)?.verdict).toMatch(/^Copy completed: 3,000 item\(s\)/);

    // A failure is an event too: the error in `finished`, and its words as `message` events.
    const failed = await runCli(
      [
        'verify',
        ...['--source', 'orders', '--target', 'nowhere', '--profile', 'src', '--endpoint-url', endpoint],
        ...['--progress', 'json'],
      ],
      env,
    );
    expect(failed.code).toBe(2);
    const failedEvents = failed.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failedEvents.find((event) => event.type === 'finished')).toMatchObject({
      exitCode: 2,
      error: { code: 'TABLE_NOT_FOUND' },
    });
    expect(
      failedEvents.filter((event) => event.type === 'message').map((event) => event.text),
    ).toContainEqual(expect.stringMatching(/^error: The target table 'nowhere' does not exist/));
  }, 180_000);

  it('--log-file appends timestamped steps, progress and verdicts; a bad path exits 2 and touches nothing', async () => {
    const { env, home, dst } = world('log');
    const log = path.join(home, 'ddbcopy.log');
    const copied = await runCli(
      [...copyArgs('orders', endpoint, endpoint), '--yes', '--progress', 'none', '--log-file', log],
      env,
    );
    expect(copied.code, copied.stderr).toBe(0);
    // --progress none: no progress line on stderr, but the log has them.
    expect(copied.stderr).not.toMatch(/copied 3,000/);
    const exported = await runCli([...exportArgs(path.join(home, 'out')), '--quiet', '--log-file', log], env);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(TIMESTAMP);
    const text = lines.map((line) => line.replace(TIMESTAMP, '')).join('\n');
    expect(text).toContain('ddbcopy copy started');
    expect(text).toContain('[1/4] Connecting to both sides');
    expect(text).toMatch(/^copied 3,000\/3,000 items \(100%\)/m);
    expect(text).toMatch(/^Copy completed: orders /m);
    // Appended: the export's lines follow the copy's, its steps logged though --quiet hid them.
    expect(text.indexOf('ddbcopy export started')).toBeGreaterThan(text.indexOf('Copy completed'));
    expect(text).toContain('[4/4] Writing the manifests');
    expect(text).toMatch(/^Export completed: 3,000 item\(s\)/m);

    const bad = await runCli(
      [
        ...copyArgs('orders', endpoint, endpoint),
        ...['--target', 'untouched', '--yes', '--log-file', path.join(home, 'no', 'such', 'dir', 'x.log')],
      ],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: --log-file .*cannot be opened for appending/);
    expect(bad.stderr).toMatch(/hint: Name a file in a directory that exists/);
    expect(await tableExists(accountClient(dst), 'untouched')).toBe(false);
    const badMode = await runCli(
      [...copyArgs('orders', endpoint, endpoint), '--progress', 'fancy', '--json'],
      env,
    );
    expect(badMode.code).toBe(2);
    expect(JSON.parse(badMode.stdout)).toMatchObject({ status: 'failed', error: { code: 'INVALID_OPTION' } });
    expect(badMode.stderr).toContain('--progress must be one of auto, bar, lines, json, none');
  }, 180_000);

  it('a resumed copy counts what the first run wrote, and its summary shows the kept schema', async () => {
    const { env, home } = world('resume');
    const checkpoint = path.join(home, 'run.json');
    // A write rate keeps the copy a few seconds long, so it is stopped half-way.
    const args = [
      ...copyArgs('orders', endpoint, endpoint),
      ...['--yes', '--segments', '4', '--write-rate', '1500', '--checkpoint', checkpoint],
    ];
    const run = spawnCli(args, env);
    const written = (): number => {
      try {
        return (JSON.parse(readFileSync(checkpoint, 'utf8')) as CheckpointRecord).totals.itemsWritten;
      } catch {
        return -1;
      }
    };
    let exited = false;
    void run.done.then(() => {
      exited = true;
    });
    while (!exited && written() < ITEMS / 3) await delay(10);
    expect(exited, 'the copy finished before it was stopped; slow it down').toBe(false);
    run.child.kill('SIGINT');
    expect((await run.done).code).toBe(130);
    expect(existsSync(checkpoint)).toBe(true);
    const before = written();
    expect(before).toBeGreaterThan(0);

    const resumed = await runCli([...args, '--resume'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    // --resume keeps the target: connect, describe, the items.
    expectConsecutiveSteps(resumed.stderr, 3);
    // The last progress line counts the whole table, the first run's items included.
    const progress = resumed.stderr.split('\n').filter((line) => / copied [\d,]+\//.test(line));
    expect(progress.at(-1)).toMatch(
      new RegExp(
        `Z copied 3,000/3,000 items \\(100%\\) \\(${before.toLocaleString('en-US')} before this run\\)`,
      ),
    );
    expect(resumed.stderr).toMatch(/^ {2}schema {5}kept \(1 global, 0 local indexes\)$/m);
    expect(resumed.stderr).toMatch(
      new RegExp(
        `^ {2}resumed {4}after ${before.toLocaleString('en-US')} items written by earlier runs$`,
        'm',
      ),
    );
    expect(resumed.stderr).toMatch(/^Copy completed: .*$/m);
  }, 180_000);
});
