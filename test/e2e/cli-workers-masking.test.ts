/**
 * `--workers 2` with masks, a filter and a transform, through the built CLI (worker threads run the
 * compiled worker module): each worker builds the same stage from plain data, so the target holds
 * exactly what a one-thread copy gives, and the summary counts what every worker did.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CopySummary } from '../../src/runs/copy/summary.js';
import type { Item } from '../fixtures/items.js';
import { MASK_FILE, piiUsers, USERS } from '../fixtures/pii.js';
import { assertBuilt, type CliResult, runCli, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const SECRET_ENV = 'DDBCOPY_TEST_MASK_SECRET';
const SECRET = 'a-long-enough-secret-for-worker-tests';
const USER_COUNT = 300;

describe('ddbcopy copy --workers 2 with masks, a filter and a transform (built CLI)', () => {
  const endpoint = inject('ddbEndpoint');
  let src: LocalAccount;
  let dir: string;
  let maskFile: string;

  beforeAll(async () => {
    assertBuilt();
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), USERS);
    await putItems(accountClient(src), 'users', piiUsers(USER_COUNT));
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-workers-masking-'));
    maskFile = path.join(dir, 'masks.json');
    writeFileSync(maskFile, JSON.stringify(MASK_FILE));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Copies users into a fresh account with `flags` on `workers` threads; 4 segments either way. */
  async function copyUsers(
    workers: 1 | 2,
    flags: string[],
  ): Promise<{ result: CliResult; summary: CopySummary; items: Item[]; rejects: string[] }> {
    const dst = newAccount(endpoint, 'us-east-1');
    const home = path.join(dir, randomUUID());
    const env = { ...userEnv(home, { src, dst }), [SECRET_ENV]: SECRET };
    const checkpoint = path.join(home, 'run.json');
    const args = [
      'copy',
      ...['--source', 'users', '--target', 'users', '--source-profile', 'src', '--target-profile', 'dst'],
      ...['--source-endpoint-url', endpoint, '--target-endpoint-url', endpoint],
      ...['--segments', '4', '--checkpoint', checkpoint, '--yes', '--json'],
      ...(workers > 1 ? ['--workers', String(workers)] : []),
      ...flags,
    ];
    const result = await runCli(args, env);
    // Whatever happened, the secret is in no output.
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    // Really on worker threads (a copy that could not start them would run on this one).
    if (workers > 1) expect(result.stderr).toContain(`on ${workers} threads`);
    const summary = JSON.parse(result.stdout) as CopySummary;
    const items = summary.status === 'completed' ? await scanAll(accountClient(dst), 'users') : [];
    const rejectsFile = path.join(home, 'run.rejects.jsonl');
    const rejects = existsSync(rejectsFile)
      ? readFileSync(rejectsFile, 'utf8').split('\n').filter(Boolean).sort()
      : [];
    return { result, summary, items, rejects };
  }

  const sorted = (items: Item[]) => [...items].sort((a, b) => a.userId!.S!.localeCompare(b.userId!.S!));

  it('masked: the same target items and the same masking counts as one thread', async () => {
    const flags = ['--mask-file', maskFile, '--mask-secret-env', SECRET_ENV];
    const one = await copyUsers(1, flags);
    const two = await copyUsers(2, flags);
    expect(one.result.code, one.result.stderr).toBe(0);
    expect(two.result.code, two.result.stderr).toBe(0);

    expect(two.items).toHaveLength(USER_COUNT);
    expect(sorted(two.items)).toEqual(sorted(one.items));
    // Masked, not copied as they are: the first user's id is not in the target.
    expect(two.items.map((item) => item.userId!.S)).not.toContain('user-00000');

    // Counted in the workers, added up by the main thread: not zero, and as on one thread.
    expect(two.summary.masking?.rules).toEqual(
      expect.arrayContaining([
        { rule: 'userId=hash', values: USER_COUNT },
        { rule: 'phones[*]=hash', values: USER_COUNT * 2 },
      ]),
    );
    expect(two.summary.masking).toEqual(one.summary.masking);
    // A rule that matched in some worker is no typo.
    expect(two.summary.warnings.join('\n')).not.toMatch(/typo/);
  }, 120_000);

  it('a filter and a transform that drops and throws (skip): same items, counts and rejects as one thread', async () => {
    const module = path.join(dir, 'transform.mjs');
    writeFileSync(
      module,
      [
        'export function transform(item) {',
        "  if (item.plan.S === 'pro') return null;",
        "  if (item.seq.N === '7' || item.seq.N === '123') throw new Error('bad row');",
        "  item.name = { S: 'anonymous' };",
        '  return item;',
        '}',
      ].join('\n'),
    );
    const flags = [
      ...['--filter-expression', '#s < :n', '--expression-attribute-names', '{"#s":"seq"}'],
      ...['--expression-attribute-values', '{":n":{"N":"250"}}'],
      ...['--transform', module, '--on-transform-error', 'skip'],
    ];
    const one = await copyUsers(1, flags);
    const two = await copyUsers(2, flags);
    expect(one.result.code, one.result.stderr).toBe(0);
    expect(two.result.code, two.result.stderr).toBe(0);

    // 250 match the filter; 25 of them are 'pro' (dropped), 2 throw (rejected).
    expect(two.items).toHaveLength(250 - 25 - 2);
    expect(sorted(two.items)).toEqual(sorted(one.items));
    expect(two.summary.items).toMatchObject({ scanned: USER_COUNT, written: 250 - 25 - 2 });
    expect(two.summary.masking?.transform).toMatchObject({ dropped: 25, rejected: 2 });
    expect(two.summary.masking?.transform?.dropped).toBe(one.summary.masking?.transform?.dropped);
    expect(two.summary.masking?.transform?.rejected).toBe(one.summary.masking?.transform?.rejected);
    // Each worker appended its rejected items to the run's one file, a whole line each.
    expect(two.rejects.map((line) => JSON.parse(line).key.userId.S)).toEqual(['user-00007', 'user-00123']);
    expect(two.rejects).toEqual(one.rejects);
  }, 120_000);

  it('two items given one key by a transform in different workers: the copy fails naming both', async () => {
    const module = path.join(dir, 'collide.mjs');
    // user-00000 and user-00001 both become 'same'; with 4 segments over 2 threads they may be
    // scanned by different workers, and only the main thread sees both.
    writeFileSync(
      module,
      "export function transform(item) { if (Number(item.seq.N) < 2) item.userId = { S: 'same' }; return item; }\n",
    );
    const one = await copyUsers(1, ['--transform', module]);
    const two = await copyUsers(2, ['--transform', module]);
    expect(one.result.code).not.toBe(0);
    expect(two.result.code).toBe(one.result.code);
    expect(two.summary.error?.code).toBe(one.summary.error?.code);
    expect(two.summary.error?.message).toMatch(/user-0000[01].*and .*user-0000[01].*both become .*"same"/);
  }, 120_000);
});
