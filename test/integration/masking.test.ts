/**
 * Copying production into dev without its personal data: masks (a mask file for a users + orders
 * pair, copied as a set), a filter and a transform, on DynamoDB Local between two "accounts".
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { RawOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { validateExportOptions } from '../../src/runs/export/options.js';
import { runExport } from '../../src/runs/export/run-export.js';
import { validateImportOptions } from '../../src/runs/import/options.js';
import { runImport } from '../../src/runs/import/run-import.js';
import { runCopyTables } from '../../src/runs/tables/copy-tables.js';
import { validateTableSetOptions } from '../../src/runs/tables/options.js';
import { runVerifyTables } from '../../src/runs/tables/verify-tables.js';
import type { Item } from '../fixtures/items.js';
import { allValues, MASK_FILE, ORDERS, personalValues, piiOrders, piiUsers, USERS } from '../fixtures/pii.js';
import { localCopyOptions } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const SECRET_ENV = 'DDBCOPY_TEST_MASK_SECRET';
const USER_COUNT = 300;
const ORDER_COUNT = 900;

describe('masking personal data on the way (DynamoDB Local)', () => {
  const endpoint = inject('ddbEndpoint');
  let src: LocalAccount;
  let users: Item[];
  let orders: Item[];
  let maskFile: string;

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    const client = accountClient(src);
    await createTableAndWait(client, USERS);
    await createTableAndWait(client, ORDERS);
    users = piiUsers(USER_COUNT);
    orders = piiOrders(ORDER_COUNT, USER_COUNT);
    await putItems(client, 'users', users);
    await putItems(client, 'orders', orders);
    maskFile = path.join(os.tmpdir(), `ddbcopy-masks-${randomUUID()}.json`);
    writeFileSync(maskFile, JSON.stringify(MASK_FILE));
  }, 120_000);

  /** Copies users and orders as a set into a fresh account with the mask file and `secret`. */
  async function maskedCopy(secret: string | undefined, flags: RawOptions = {}) {
    const dst = newAccount(endpoint, 'eu-west-1');
    const env = secret === undefined ? {} : { [SECRET_ENV]: secret };
    const previous = process.env[SECRET_ENV];
    Object.assign(process.env, env);
    if (secret === undefined) delete process.env[SECRET_ENV];
    try {
      const options = validateTableSetOptions(
        {
          tables: 'users,orders',
          sourceRegion: src.region,
          targetRegion: dst.region,
          sourceEndpointUrl: src.endpoint,
          targetEndpointUrl: dst.endpoint,
          checkpoint: path.join(os.tmpdir(), `ddbcopy-mask-set-${randomUUID()}.json`),
          maskFile,
          maskSecretEnv: SECRET_ENV,
          yes: true,
          ...flags,
        },
        'copy',
      );
      const keys = (account: LocalAccount) => ({
        accessKeyId: account.accessKeyId,
        secretAccessKey: account.secretAccessKey,
      });
      const outcome = await runCopyTables({
        ...options,
        source: { ...options.source, credentials: keys(src) },
        target: { ...options.target, credentials: keys(dst) },
      });
      return { outcome, dst, client: accountClient(dst) };
    } finally {
      if (previous === undefined) delete process.env[SECRET_ENV];
      else process.env[SECRET_ENV] = previous;
    }
  }

  const bySeq = (items: Item[]) => new Map(items.map((item) => [item.seq!.N!, item]));
  const byOrderId = (items: Item[]) => new Map(items.map((item) => [item.orderId!.S!, item]));

  let first: { users: Item[]; orders: Item[]; client: DynamoDBClient };

  it('no personal value reaches the target; the rest arrives byte for byte; joins and the email index work', async () => {
    const { outcome, client } = await maskedCopy('a-long-enough-secret-for-tests-1');
    expect(outcome.error).toBeUndefined();
    const targetUsers = await scanAll(client, 'users');
    const targetOrders = await scanAll(client, 'orders');
    first = { users: targetUsers, orders: targetOrders, client };
    expect(targetUsers).toHaveLength(USER_COUNT);
    expect(targetOrders).toHaveLength(ORDER_COUNT);

    // Search every attribute value of every target item for any original personal value.
    const personal = personalValues(users, orders);
    const leaked = [...targetUsers, ...targetOrders]
      .flatMap(allValues)
      .filter((value) => personal.has(value));
    expect(leaked).toEqual([]);

    // What no rule names is unchanged, type and text.
    const sourceUsers = bySeq(users);
    for (const user of targetUsers) {
      const original = sourceUsers.get(user.seq!.N!)!;
      expect(user.plan).toEqual(original.plan);
      expect(user.score).toEqual(original.score);
      expect(user.email!.S).toMatch(/@/);
      expect(user.address!.M!.street).toEqual({ S: 'REDACTED' });
      expect(user.phones!.L).toHaveLength(2);
      expect(user.tags!.SS).toHaveLength(2);
      expect(user.userId!.S).not.toBe(original.userId!.S);
    }
    const sourceOrders = byOrderId(orders);
    const maskedUserIds = new Map(
      targetUsers.map((user) => [sourceUsers.get(user.seq!.N!)!.userId!.S!, user.userId!.S!]),
    );
    for (const order of targetOrders) {
      const original = sourceOrders.get(order.orderId!.S!)!;
      expect(order.lines).toEqual(original.lines);
      expect(order.shippingAddress).toBeUndefined();
      // The join survives: the order's masked userId is its user's masked userId.
      expect(order.userId!.S).toBe(maskedUserIds.get(original.userId!.S!));
    }

    // A GSI query on a masked email finds its item.
    const someone = targetUsers[17]!;
    const found = await client.send(
      new QueryCommand({
        TableName: 'users',
        IndexName: 'byEmail',
        KeyConditionExpression: 'email = :e',
        ExpressionAttributeValues: { ':e': someone.email! },
      }),
    );
    expect(found.Items?.map((item) => item.userId)).toEqual([someone.userId]);

    // The summary counts masked values per rule and shows only the secret's fingerprint.
    const usersSummary = outcome.summary.tables.find((t) => t.source.table === 'users')!;
    expect('masking' in usersSummary && usersSummary.masking?.rules).toEqual(
      expect.arrayContaining([
        { rule: 'userId=hash', values: USER_COUNT },
        { rule: 'phones[*]=hash', values: USER_COUNT * 2 },
        { rule: 'tags=hash', values: USER_COUNT * 2 },
      ]),
    );
    expect(JSON.stringify(outcome.summary)).not.toContain('a-long-enough-secret-for-tests-1');
  }, 120_000);

  it('the same secret gives identical targets; another secret gives other values', async () => {
    const again = await maskedCopy('a-long-enough-secret-for-tests-1');
    expect(again.outcome.error).toBeUndefined();
    const sortByKey = (items: Item[], key: string) =>
      [...items].sort((a, b) => a[key]!.S!.localeCompare(b[key]!.S!));
    expect(sortByKey(await scanAll(again.client, 'users'), 'userId')).toEqual(
      sortByKey(first.users, 'userId'),
    );
    expect(sortByKey(await scanAll(again.client, 'orders'), 'orderId')).toEqual(
      sortByKey(first.orders, 'orderId'),
    );

    const other = await maskedCopy('another-secret-entirely-for-tests');
    expect(other.outcome.error).toBeUndefined();
    const otherUsers = bySeq(await scanAll(other.client, 'users'));
    for (const user of first.users) {
      const twin = otherUsers.get(user.seq!.N!)!;
      expect(twin.userId!.S).not.toBe(user.userId!.S);
      expect(twin.address!.M!.zip!.S).not.toBe(user.address!.M!.zip!.S);
    }
  }, 120_000);

  it('verify with the same masks finds the masked copy identical; without them, different', async () => {
    const { outcome, dst } = await maskedCopy('a-long-enough-secret-for-tests-1');
    expect(outcome.error).toBeUndefined();
    const keys = (account: LocalAccount) => ({
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    const verify = async (flags: RawOptions) => {
      process.env[SECRET_ENV] = 'a-long-enough-secret-for-tests-1';
      try {
        const options = validateTableSetOptions(
          {
            tables: 'users,orders',
            sourceRegion: src.region,
            targetRegion: dst.region,
            sourceEndpointUrl: src.endpoint,
            targetEndpointUrl: dst.endpoint,
            skip: 'tags,pitr',
            ...flags,
          },
          'verify',
        );
        return await runVerifyTables({
          ...options,
          source: { ...options.source, credentials: keys(src) },
          target: { ...options.target, credentials: keys(dst) },
        });
      } finally {
        delete process.env[SECRET_ENV];
      }
    };
    const same = await verify({ maskFile, maskSecretEnv: SECRET_ENV });
    expect(same.error).toBeUndefined();
    expect(same.summary.totals).toMatchObject({ completed: 2, failed: 0, items: USER_COUNT + ORDER_COUNT });
    const plain = await verify({});
    expect(plain.exitCode).toBe(1);
    expect(plain.summary.totals.failed).toBe(2);
  }, 120_000);

  it('export with masks, then import: the same items as the masked copy', async () => {
    const out = path.join(os.tmpdir(), `ddbcopy-masked-export-${randomUUID()}`);
    process.env[SECRET_ENV] = 'a-long-enough-secret-for-tests-1';
    try {
      const keys = { accessKeyId: src.accessKeyId, secretAccessKey: src.secretAccessKey };
      const exportOptions = validateExportOptions({
        source: 'users',
        sourceRegion: src.region,
        sourceEndpointUrl: src.endpoint,
        out,
        checkpoint: path.join(os.tmpdir(), `ddbcopy-mexp-${randomUUID()}.json`),
        maskFile,
        maskSecretEnv: SECRET_ENV,
      });
      const exported = await runExport({
        ...exportOptions,
        source: { ...exportOptions.source, credentials: keys },
      });
      expect(exported.error).toBeUndefined();
      expect(exported.summary.masking?.rules).toEqual(
        expect.arrayContaining([{ rule: 'userId=hash', values: USER_COUNT }]),
      );
    } finally {
      delete process.env[SECRET_ENV];
    }
    const dst = newAccount(endpoint, 'eu-west-1');
    const importOptions = validateImportOptions({
      from: out,
      target: 'users',
      targetRegion: dst.region,
      targetEndpointUrl: dst.endpoint,
      checkpoint: path.join(os.tmpdir(), `ddbcopy-mimp-${randomUUID()}.json`),
      yes: true,
    });
    const imported = await runImport({
      ...importOptions,
      target: {
        ...importOptions.target,
        credentials: { accessKeyId: dst.accessKeyId, secretAccessKey: dst.secretAccessKey },
      },
    });
    expect(imported.error).toBeUndefined();
    const sortByKey = (items: Item[]) => [...items].sort((a, b) => a.userId!.S!.localeCompare(b.userId!.S!));
    expect(sortByKey(await scanAll(accountClient(dst), 'users'))).toEqual(sortByKey(first.users));
  }, 120_000);

  it('no secret: exit 2 before anything is touched', async () => {
    const { outcome, client } = await maskedCopy(undefined);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error?.message).toMatch(/DDBCOPY_TEST_MASK_SECRET/);
    expect(await client.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
  });

  describe('one table', () => {
    const secret = { [SECRET_ENV]: 'a-long-enough-secret-for-tests-1' };

    async function copyUsers(flags: RawOptions) {
      const dst = newAccount(endpoint, 'eu-west-1');
      Object.assign(process.env, secret);
      try {
        const options = localCopyOptions(
          { account: src, table: 'users' },
          { account: dst, table: 'users' },
          { yes: true, ...flags },
        );
        return { outcome: await runCopy(options), client: accountClient(dst) };
      } finally {
        delete process.env[SECRET_ENV];
      }
    }

    it('refuses redact on a key attribute: exit 2, nothing touched', async () => {
      const { outcome, client } = await copyUsers({ mask: ['userId=redact'], maskSecretEnv: SECRET_ENV });
      expect(outcome.exitCode).toBe(2);
      expect(outcome.error?.message).toMatch(/userId/);
      expect((await scanAll(client, 'users').catch(() => [])).length).toBe(0);
    });

    it('warns about a rule that matched nothing (a typo?)', async () => {
      const { outcome } = await copyUsers({ mask: ['emial=hash'], maskSecretEnv: SECRET_ENV });
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.warnings.join('\n')).toMatch(/emial.*typo/);
    });

    it('a filter copies the matching subset; the summary counts scanned vs written', async () => {
      const { outcome, client } = await copyUsers({
        filterExpression: '#p = :p',
        expressionAttributeNames: '{"#p":"plan"}',
        expressionAttributeValues: '{":p":{"S":"pro"}}',
      });
      expect(outcome.error).toBeUndefined();
      const target = await scanAll(client, 'users');
      expect(target.length).toBe(USER_COUNT / 10);
      expect(target.every((user) => user.plan!.S === 'pro')).toBe(true);
      expect(outcome.summary.items).toMatchObject({ scanned: USER_COUNT, written: USER_COUNT / 10 });
      expect(outcome.summary.filter).toEqual({ expression: '#p = :p' });
    });

    it('a transform: drops, changes; a throw names the key (exit 1) or is skipped into the rejects file', async () => {
      const module = path.join(os.tmpdir(), `ddbcopy-transform-${randomUUID()}.mjs`);
      writeFileSync(
        module,
        [
          'export function transform(item) {',
          "  if (item.plan.S === 'pro') return null;",
          "  if (item.seq.N === '7') throw new Error('bad row');",
          "  item.name = { S: 'anonymous' };",
          '  return item;',
          '}',
        ].join('\n'),
      );
      const failed = await copyUsers({ transform: module });
      expect(failed.outcome.exitCode).toBe(1);
      expect(failed.outcome.error?.message).toContain('user-00007');
      expect(failed.outcome.error?.message).toContain('bad row');

      const skipped = await copyUsers({ transform: module, onTransformError: 'skip' });
      expect(skipped.outcome.error).toBeUndefined();
      const target = await scanAll(skipped.client, 'users');
      expect(target.length).toBe(USER_COUNT - USER_COUNT / 10 - 1);
      expect(target.every((user) => user.name!.S === 'anonymous')).toBe(true);
      expect(skipped.outcome.summary.masking?.transform).toMatchObject({
        dropped: USER_COUNT / 10,
        rejected: 1,
      });
    });

    it("a transform's helpers: get, set and remove by path; hash() equals the hash mask (it joins)", async () => {
      const module = path.join(os.tmpdir(), `ddbcopy-helpers-${randomUUID()}.mjs`);
      writeFileSync(
        module,
        [
          'export function transform(item, { get, set, remove, hash }) {',
          "  set(item, 'address.country', { S: 'XX' });",
          "  remove(item, 'address.zip');",
          "  set(item, 'ownerRef', hash(get(item, 'userId')));",
          '  return item;',
          '}',
        ].join('\n'),
      );
      const { outcome, client } = await copyUsers({ transform: module, maskSecretEnv: SECRET_ENV });
      expect(outcome.error).toBeUndefined();
      const target = await scanAll(client, 'users');
      expect(target).toHaveLength(USER_COUNT);
      // hash() is the hash mask under the same secret: the first test's masked userIds (same secret).
      const maskedUserId = new Map(first.users.map((user) => [user.seq!.N!, user.userId!.S!]));
      for (const user of target) {
        expect(user.address!.M!.country).toEqual({ S: 'XX' });
        expect(user.address!.M!.zip).toBeUndefined();
        expect(user.ownerRef).toEqual({ S: maskedUserId.get(user.seq!.N!) });
      }
    });

    it("the README's transform example runs as written", async () => {
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const block = /\/\/ anonymize\.mjs\n([\s\S]*?)```/.exec(readme);
      expect(block).not.toBeNull();
      const module = path.join(os.tmpdir(), `ddbcopy-readme-transform-${randomUUID()}.mjs`);
      writeFileSync(module, block![1]!);
      const { outcome, client } = await copyUsers({ transform: module, maskSecretEnv: SECRET_ENV });
      expect(outcome.error).toBeUndefined();
      const target = await scanAll(client, 'users');
      expect(target).toHaveLength(USER_COUNT);
      expect(target.every((user) => user.profile?.M?.country?.S === 'XX')).toBe(true);
    });

    it('a masked key collision (a transform giving two items one key) is an error naming both keys', async () => {
      const module = path.join(os.tmpdir(), `ddbcopy-collide-${randomUUID()}.mjs`);
      writeFileSync(
        module,
        "export function transform(item) { item.userId = { S: 'same' }; return item; }\n",
      );
      const { outcome } = await copyUsers({ transform: module });
      expect(outcome.exitCode).toBe(1);
      expect(outcome.error?.message).toMatch(/user-\d{5}.*and .*user-\d{5}.*both become .*"same"/);
    });
  });
});
