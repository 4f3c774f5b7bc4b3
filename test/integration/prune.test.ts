/**
 * `copy --data-only --prune` between two DynamoDB Local accounts: after the copy the target holds
 * exactly the source's items (those whose key the source lacks are deleted), the source is untouched,
 * and `--dry-run` counts what would go without deleting anything.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { hashOnlyTable, hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const table = 'pruned';

function item(i: number, label: string): Record<string, AttributeValue> {
  return { [PK]: { S: `user-${i}` }, [SK]: { N: String(i % 7) }, label: { S: label }, n: { N: String(i) } };
}

/** Source: keys 0..299. Target: keys 200..479 (100 shared, 180 only on the target), other contents. */
async function twoTables() {
  const src = newAccount(endpoint, 'eu-west-1');
  const dst = newAccount(endpoint, 'us-east-1');
  const srcClient = accountClient(src);
  const dstClient = accountClient(dst);
  await createTableAndWait(srcClient, hashRangeTable(table, 'S', 'N'));
  await createTableAndWait(dstClient, hashRangeTable(table, 'S', 'N'));
  await putItems(
    srcClient,
    table,
    Array.from({ length: 300 }, (_, i) => item(i, 'source')),
  );
  await putItems(
    dstClient,
    table,
    Array.from({ length: 280 }, (_, i) => item(200 + i, 'stale target')),
  );
  return { src, dst, srcClient, dstClient };
}

describe('copy --data-only --prune (DynamoDB Local)', () => {
  it('deletes the target items the source lacks; target equals source; source untouched', async () => {
    const { src, dst, srcClient, dstClient } = await twoTables();
    const keys = [PK, SK];
    const sourceBefore = itemsByKey(await scanAll(srcClient, table), keys);

    const outcome = await runCopy(
      localCopyOptions(
        { account: src, table },
        { account: dst, table },
        { dataOnly: true, prune: true, segments: '3' },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.status).toBe('completed');
    expect(outcome.summary.items.written).toBe(300);
    // After the copy the target held 300 + 180 items; the 180 only it had are deleted.
    expect(outcome.summary.prune).toMatchObject({ scanned: 480, missing: 180, deleted: 180, dryRun: false });
    expect(outcome.summary.prune!.samples).toHaveLength(10);
    for (const key of outcome.summary.prune!.samples) {
      expect(Number(key[PK]!.S!.slice('user-'.length))).toBeGreaterThanOrEqual(300);
    }

    const sourceAfter = itemsByKey(await scanAll(srcClient, table), keys);
    expect(sourceAfter).toStrictEqual(sourceBefore);
    const target = itemsByKey(await scanAll(dstClient, table), keys);
    expect(target.size).toBe(sourceAfter.size);
    for (const [key, value] of sourceAfter) expect(target.get(key), key).toStrictEqual(value);

    // Again: nothing left to prune.
    const again = await runCopy(
      localCopyOptions({ account: src, table }, { account: dst, table }, { dataOnly: true, prune: true }),
    );
    expect(again.error).toBeUndefined();
    expect(again.summary.prune).toMatchObject({ scanned: 300, missing: 0, deleted: 0 });
  });

  it('--dry-run counts what would be deleted, with sample keys, and deletes nothing', async () => {
    const { src, dst, srcClient, dstClient } = await twoTables();
    const keys = [PK, SK];
    const sourceBefore = itemsByKey(await scanAll(srcClient, table), keys);
    const targetBefore = itemsByKey(await scanAll(dstClient, table), keys);

    const outcome = await runCopy(
      localCopyOptions(
        { account: src, table },
        { account: dst, table },
        { dataOnly: true, prune: true, dryRun: true },
      ),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.status).toBe('planned');
    // Nothing was copied, so the target's 280 items are checked: 100 are on the source.
    expect(outcome.summary.prune).toMatchObject({ scanned: 280, missing: 180, deleted: 0, dryRun: true });
    expect(outcome.summary.prune!.samples).toHaveLength(10);

    expect(itemsByKey(await scanAll(dstClient, table), keys)).toStrictEqual(targetBefore);
    expect(itemsByKey(await scanAll(srcClient, table), keys)).toStrictEqual(sourceBefore);
  });

  it('--resume --prune prunes once the recorded copy has completed', async () => {
    const { src, dst, srcClient, dstClient } = await twoTables();
    const checkpoint = path.join(os.tmpdir(), `ddbcopy-prune-${randomUUID()}.json`);
    const sides = [
      { account: src, table },
      { account: dst, table },
    ] as const;
    const first = await runCopy(localCopyOptions(...sides, { dataOnly: true, checkpoint }));
    expect(first.error).toBeUndefined();
    expect(first.summary.prune).toBeUndefined();
    expect((await scanAll(dstClient, table)).length).toBe(480);

    const resumed = await runCopy(
      localCopyOptions(...sides, { dataOnly: true, prune: true, resume: true, checkpoint }),
    );
    expect(resumed.error).toBeUndefined();
    expect(resumed.summary.resumed).toBe(true);
    expect(resumed.summary.prune).toMatchObject({ scanned: 480, missing: 180, deleted: 180 });
    expect((await scanAll(dstClient, table)).length).toBe(300);
    expect((await scanAll(srcClient, table)).length).toBe(300);
  });

  it('matches binary keys by content', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'us-east-1');
    const srcClient = accountClient(src);
    const dstClient = accountClient(dst);
    const bytes = (i: number) => ({ [PK]: { B: Uint8Array.from([0, i, 255]) }, v: { N: String(i) } });
    await createTableAndWait(srcClient, hashOnlyTable(table, 'B'));
    await createTableAndWait(dstClient, hashOnlyTable(table, 'B'));
    await putItems(
      srcClient,
      table,
      Array.from({ length: 20 }, (_, i) => bytes(i)),
    );
    await putItems(
      dstClient,
      table,
      Array.from({ length: 30 }, (_, i) => bytes(i + 10)),
    );
    const outcome = await runCopy(
      localCopyOptions({ account: src, table }, { account: dst, table }, { dataOnly: true, prune: true }),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.prune).toMatchObject({ scanned: 40, missing: 20, deleted: 20 });
    expect((await scanAll(dstClient, table)).length).toBe(20);
    expect((await scanAll(srcClient, table)).length).toBe(20);
  });

  it('refuses masks on a key attribute before touching the target', async () => {
    const { src, dst, dstClient } = await twoTables();
    process.env.DDBCOPY_PRUNE_TEST_SECRET = 'a-long-enough-secret-for-prune-tests';
    const outcome = await runCopy(
      localCopyOptions(
        { account: src, table },
        { account: dst, table },
        {
          dataOnly: true,
          prune: true,
          mask: [`${PK}=hash`],
          maskSecretEnv: 'DDBCOPY_PRUNE_TEST_SECRET',
        },
      ),
    );
    expect(outcome.error?.message).toMatch(/^prune cannot be used with masks on key attributes/);
    expect(outcome.exitCode).toBe(2);
    expect((await scanAll(dstClient, table)).length).toBe(280);
  });
});
