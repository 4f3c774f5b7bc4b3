/**
 * `copy --dry-run`'s time and cost estimate through the built CLI, against DynamoDB Local: the units,
 * the least time and the dollars follow from the size DescribeTable reports (read here independently),
 * the prices are named, transfer between regions is its own line, and nothing is created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, runCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
} from '../harness/local-accounts.js';

/** Items of about 1.5 KB: two write units each, where 1 KB units not rounded up per item would say 1.5. */
const PAYLOAD = 'x'.repeat(1500);

describe('copy --dry-run: time and cost estimate (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;
  let dst: LocalAccount;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-estimate-'));
    src = newAccount(endpoint, 'eu-west-1');
    // Another region: the data crosses regions, which the estimate prices on its own line.
    dst = newAccount(endpoint, 'us-east-1');
    env = userEnv(dir, { A: src, B: dst });
    const client = accountClient(src);
    for (const [name, count] of [
      ['est-big', 400],
      ['est-small', 100],
    ] as const) {
      await createTableAndWait(client, {
        ...hashRangeTable(name, 'S', 'N'),
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 50, WriteCapacityUnits: 20 },
      });
      await putItems(
        client,
        name,
        Array.from({ length: count }, (_, i) => ({
          pk: { S: `k${i}` },
          sk: { N: String(i) },
          data: { S: PAYLOAD },
        })),
      );
    }
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const sides = (): string[] => [
    ...['--source-profile', 'A', '--target-profile', 'B'],
    ...['--source-endpoint-url', endpoint, '--target-endpoint-url', endpoint],
  ];

  it('--json: an estimate object with units, least time and cost from the table size', async () => {
    const described = await accountClient(src).send(new DescribeTableCommand({ TableName: 'est-big' }));
    const items = described.Table?.ItemCount ?? 0;
    const bytes = described.Table?.TableSizeBytes ?? 0;
    expect(items).toBe(400);

    const result = await runCli(
      [
        'copy',
        '--source',
        'est-big',
        '--target',
        'est-big',
        ...sides(),
        '--write-rate',
        '10',
        '--dry-run',
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const { status, plan } = JSON.parse(result.stdout);
    expect(status).toBe('planned');
    const estimate = plan.estimate;
    const readUnits = Math.ceil(bytes / 4096) / 2;
    const writeUnits = items * Math.ceil(bytes / items / 1024);
    expect(writeUnits).toBe(800);
    expect(estimate).toMatchObject({ items, bytes, readUnits, writeUnits, consistentRead: false });
    // The target gets the source's 20 WCU; --write-rate 10 is lower: 800 WCU at 10 per second.
    expect(estimate.limitedBy).toBe('write-rate');
    expect(estimate.seconds).toBeCloseTo(80, 6);
    // The source and the new target are provisioned: capacity-hours at the list prices named.
    expect(estimate.prices).toMatchObject({ region: 'us-east-1', provisionedWritePerUnitHour: 0.00065 });
    expect(estimate.cost.writes).toMatchObject({ mode: 'provisioned', units: writeUnits });
    expect(estimate.cost.writes.usd).toBeCloseTo((writeUnits / 3600) * 0.00065, 12);
    expect(estimate.cost.reads.usd).toBeCloseTo((readUnits / 3600) * 0.00013, 12);
    expect(estimate.cost.transfer.gigabytes).toBeCloseTo(bytes / 1024 ** 3, 12);

    // A dry run touches nothing: the target account still has no table.
    const listed = await accountClient(dst).send(new ListTablesCommand({}));
    expect(listed.TableNames ?? []).toEqual([]);
  });

  it('the plan for people names the prices, says it is an estimate, and prices transfer apart', async () => {
    const result = await runCli(
      ['copy', '--source', 'est-big', '--target', 'est-big', ...sides(), '--consistent-read', '--dry-run'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /estimate {3}at us-east-1 list prices of \d{4}-\d{2}-\d{2} \(other regions differ\): an estimate, not a quote/,
    );
    expect(out).toMatch(/reads {4}~\d[\d,]* RCU: .* one unit each \(strongly consistent\); provisioned/);
    expect(out).toMatch(/writes {3}~800 WCU: 2 per item .*approximate\); provisioned/);
    // No rate given: the target's provisioned write capacity (20 WCU/s, the source's) bounds the time.
    expect(out).toContain("time     at least 40.0 s, set by the target's provisioned write capacity");
    expect(out).toMatch(
      /transfer ~0\.\d+ GB from eu-west-1 to us-east-1: .* at \$0\.02\/GB between AWS regions/,
    );
    expect(out).toContain('storage, streams, backups and data transfer not included');
  });

  it('a set of tables: each pair priced, and a total', async () => {
    const result = await runCli(['copy', '--tables', 'est-*', ...sides(), '--dry-run', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(
      document.plan.map((entry: { estimate: { writeUnits: number } }) => entry.estimate.writeUnits),
    ).toEqual([800, 200]);
    expect(document.estimate).toMatchObject({ items: 500, writeUnits: 1000 });
    expect(document.estimate.cost.totalUsd).toBeCloseTo(
      document.plan.reduce(
        (t: number, e: { estimate: { cost: { totalUsd: number } } }) => t + e.estimate.cost.totalUsd,
        0,
      ),
      12,
    );
    // Two tables side by side, each under its target's 20 WCU: the bigger one's 40 s.
    expect(document.estimate.seconds).toBeCloseTo(40, 6);

    const human = await runCli(['copy', '--tables', 'est-*', ...sides(), '--dry-run'], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Total of the 2 tables:');
    expect(human.stdout).toMatch(/est-big → est-big .* ~\$0\.000\d+\n/);
  });
});
