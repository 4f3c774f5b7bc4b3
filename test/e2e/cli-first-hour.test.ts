/**
 * The items of "the first hour of a new user" that other files test in process, through the built CLI
 * as a user runs it: a mistyped region (item 5), `--data-only --prune` (item 6), the AWS CLI's
 * `--profile`/`--region`/`--endpoint-url` for both sides with `-y` (item 7), and shell completion
 * (item 15). DynamoDB Local, two "accounts" as profiles in a temporary AWS config.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable, keyAttrsOf } from '../fixtures/tables.js';
import { assertBuilt, copyArgs, runCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const TABLE = hashRangeTable('people', 'S', 'N');
const KEYS = ['pk', 'sk'];

describe('the first hour, through the built CLI', () => {
  const endpoint = inject('ddbEndpoint');
  let src: LocalAccount;
  let dst: LocalAccount;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertBuilt();
    src = newAccount(endpoint, 'eu-west-1');
    dst = newAccount(endpoint, 'eu-west-1');
    home = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-e2e-first-hour-'));
    env = userEnv(home, { src, dst });
    await createTableAndWait(accountClient(src), TABLE);
    await putItems(accountClient(src), 'people', variedItems(120, 7, keyAttrsOf(TABLE)));
  }, 120_000);

  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('a mistyped region is bad input with the region it means, not a missing table (exit 2)', async () => {
    // No endpoint: the region names AWS's endpoint (with a custom one, any region name is taken). It is
    // refused before any request, so nothing reaches AWS.
    const args = ['copy', '--source', 'people', '--target', 'people', '--source-profile', 'src'];
    const result = await runCli([...args, '--target-profile', 'dst', '--source-region', 'eu-west1'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("'eu-west1' is not an AWS region; did you mean eu-west-1?");
    expect(result.stderr).not.toContain('[1/');
  });

  it('--data-only --prune: the target ends equal to the source, its extra items deleted and counted', async () => {
    const target = { ...TABLE, TableName: 'people' };
    await createTableAndWait(accountClient(dst), target);
    // 40 items the source has too (other values), 30 only the target has.
    const extra = variedItems(70, 8, keyAttrsOf(TABLE)).map((item, i) =>
      i < 40 ? item : { ...item, pk: { S: `only-target-${i}` } },
    );
    await putItems(accountClient(dst), 'people', extra);
    const sourceKeys = new Set(itemsByKey(await scanAll(accountClient(src), 'people'), KEYS).keys());
    const onlyTarget = [...itemsByKey(extra, KEYS).keys()].filter((key) => !sourceKeys.has(key)).length;
    expect(onlyTarget).toBeGreaterThan(0);

    const result = await runCli(
      [...copyArgs('people', endpoint, endpoint), '--data-only', '--prune', '--yes', '--json'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { prune: { missing: number; deleted: number } };
    expect(summary.prune.missing).toBe(onlyTarget);
    expect(summary.prune.deleted).toBe(onlyTarget);
    const source = itemsByKey(await scanAll(accountClient(src), 'people'), KEYS);
    const copied = itemsByKey(await scanAll(accountClient(dst), 'people'), KEYS);
    expect(copied.size).toBe(source.size);
    for (const [key, item] of source) expect(copied.get(key), key).toStrictEqual(item);
  });

  it('--profile, --region and --endpoint-url set both sides; -y is --yes', async () => {
    const args = [
      'copy',
      ...['--source', 'people', '--target', 'people-copy'],
      ...['--profile', 'src', '--region', 'eu-west-1', '--endpoint-url', endpoint, '--json'],
    ];
    // Twice: the second run replaces the target the first made, which only -y (or --yes) allows
    // without a terminal to ask on.
    for (let run = 1; run <= 2; run++) {
      const result = await runCli([...args, '-y'], env);
      expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
      const summary = JSON.parse(result.stdout) as { target: { region: string }; items: { written: number } };
      expect(summary.items.written).toBe(120);
      expect(summary.target.region).toBe('eu-west-1');
      // Both sides were the profile src: the copy is in src's account, next to its source.
      const copied = itemsByKey(await scanAll(accountClient(src), 'people-copy'), KEYS);
      expect(copied.size).toBe(120);
    }
    const withoutYes = await runCli(args, env);
    expect(withoutYes.code).toBe(2);
  });

  it('completion bash|zsh|fish prints a script naming the commands; another shell is exit 2', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await runCli(['completion', shell], env);
      expect(result.code, result.stderr).toBe(0);
      // fish names long flags without their dashes (`-l write-rate`).
      for (const word of ['copy', 'verify', 'export', 'import', 'follow', 'iam-policy', 'write-rate']) {
        expect(result.stdout, `${shell}: ${word}`).toContain(word);
      }
    }
    const other = await runCli(['completion', 'tcsh'], env);
    expect(other.code).toBe(2);
  });
});
