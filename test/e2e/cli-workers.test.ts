/**
 * `--workers 2` through the built CLI: a failure inside a worker thread reaches the user as the same
 * typed error, exit code and JSON summary as in a single-threaded copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, copyArgs, runCli, userEnv } from '../harness/cli.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { accountClient, createTableAndWait, newAccount, putItems } from '../harness/local-accounts.js';

describe('ddbcopy copy --workers 2 (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let proxy: FaultProxy;
  let dir: string;

  beforeAll(async () => {
    assertBuilt();
    proxy = await startFaultProxy({ upstream: endpoint });
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-workers-'));
  });

  afterAll(async () => {
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an AccessDenied on BatchWriteItem in a worker fails the copy with the IAM action named (exit 1)', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(proxy.endpoint, 'us-east-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    const keys = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };
    await putItems(accountClient(src), 'orders', variedItems(400, 8, keys));
    const env = userEnv(dir, { src, dst });
    proxy.configure({ deny: ['BatchWriteItem'] });
    const args = [...copyArgs('orders', endpoint, proxy.endpoint), '--yes', '--json'];
    args.push('--segments', '4', '--workers', '2');
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatchObject({ code: 'ACCESS_DENIED', side: 'target' });
    expect(summary.error.message).toContain("'dynamodb:BatchWriteItem'");
    expect(result.stderr).toContain('on 2 threads');
    expect(result.stderr).toContain('To continue where it stopped:');
  });
});
