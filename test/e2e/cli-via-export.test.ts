/**
 * `ddbcopy copy --via-export` through the built CLI. DynamoDB Local offers neither point-in-time
 * recovery nor the export/import calls, so what a real process can show here is the preflight: the
 * run stops before anything is exported or deleted, with the typed error on stderr and in --json.
 * The orchestration itself is tested against a fake at the SDK boundary (integration/via-export).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashOnlyTable } from '../fixtures/tables.js';
import { copyArgs, runCli, type TwoEndpoints, twoEndpoints } from '../harness/cli.js';
import { accountClient, createTableAndWait, scanAll } from '../harness/local-accounts.js';

describe('ddbcopy copy --via-export (built CLI)', () => {
  let world: TwoEndpoints;

  beforeAll(async () => {
    world = await twoEndpoints(inject('ddbEndpoint'), 'ddbcopy-e2e-via-export-');
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('stops at the PITR preflight with exit 2, a hint, and the target untouched', async () => {
    const { src, dst, env } = world;
    await createTableAndWait(accountClient(src), hashOnlyTable('orders', 'S'));
    const dstClient = accountClient(dst);
    await createTableAndWait(dstClient, hashOnlyTable('orders', 'S'));
    await dstClient.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'keep' } } }));
    const args = [
      ...copyArgs('orders', src.endpoint, dst.endpoint),
      '--via-export',
      's3://transfer/x',
      '--yes',
    ];

    const human = await runCli(args, env);
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/\[1\/6\] Connecting to both sides/);
    expect(human.stderr).toMatch(/error: .*(point-in-time recovery|Point-in-time recovery)/);
    expect(human.stderr).toMatch(/hint: .*--via-export/);

    const json = await runCli([...args, '--json'], env);
    expect(json.code).toBe(2);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({
      command: 'copy',
      status: 'failed',
      error: { code: 'PITR_REQUIRED', side: 'source' },
      viaExport: { s3: { bucket: 'transfer', prefix: 'x' }, export: null, import: null },
    });
    expect(await scanAll(dstClient, 'orders')).toEqual([{ pk: { S: 'keep' } }]);
  });
});
