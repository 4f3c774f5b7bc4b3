/**
 * Who each side is, before anything is deleted (issue "the first hour", item 4): the account each
 * side's credentials belong to (STS GetCallerIdentity), shown in the plan, the summary and the
 * deletion question, and --expect-source-account / --expect-target-account refusing a run whose
 * credentials resolve elsewhere, exit 2, before a single request reaches either table.
 *
 * The tables are real (DynamoDB Local, counted through the fault proxy); STS is the fake in
 * test/harness/fake-sts.ts, found through AWS_ENDPOINT_URL_STS as the SDK finds any STS endpoint:
 * DynamoDB Local has no STS and no accounts, so the fake maps each local "account" (access key id) to
 * a 12-digit account id, and a role session to its role's account.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import type { RawOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { runExport } from '../../src/runs/export/run-export.js';
import { validateImportOptions } from '../../src/runs/import/options.js';
import { runImport } from '../../src/runs/import/run-import.js';
import { runCopyTables } from '../../src/runs/tables/copy-tables.js';
import { validateTableSetOptions } from '../../src/runs/tables/options.js';
import { validateVerifyOptions } from '../../src/runs/verify/options.js';
import { runVerify } from '../../src/runs/verify/run-verify.js';
import { variedItems } from '../fixtures/items.js';
import { hashOnlyTable, keyAttrsOf } from '../fixtures/tables.js';
import { localCopyOptions, localSideConfig } from '../harness/copy-options.js';
import { type FakeSts, startFakeSts } from '../harness/fake-sts.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const PROD = '111111111111';
const STAGING = '222222222222';
const ELSEWHERE = '333333333333';
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-whoami-'));

let sts: FakeSts;
let proxy: FaultProxy;
let src: LocalAccount;
let dst: LocalAccount;
const savedStsEndpoint = process.env.AWS_ENDPOINT_URL_STS;

function restoreStsEndpoint(): void {
  if (savedStsEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
  else process.env.AWS_ENDPOINT_URL_STS = savedStsEndpoint;
}

beforeAll(async () => {
  sts = await startFakeSts({ roles: {} });
  // One proxy in front of DynamoDB Local for both sides: it counts every request that reaches a table.
  proxy = await startFaultProxy({ upstream: endpoint });
});

afterAll(async () => {
  restoreStsEndpoint();
  await proxy?.close();
  await sts?.close();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
  src = newAccount(proxy.endpoint, 'eu-west-1');
  dst = newAccount(proxy.endpoint, 'eu-central-1');
  sts.users[src.accessKeyId] = { account: PROD, name: 'prod-reader' };
  sts.users[dst.accessKeyId] = { account: STAGING, name: 'staging-writer' };
  const table = hashOnlyTable('orders', 'S');
  await createTableAndWait(accountClient(src), table);
  await putItems(accountClient(src), 'orders', variedItems(20, 1, keyAttrsOf(table)));
  // An old target with other keys: a recreate deletes it.
  await createTableAndWait(accountClient(dst), hashOnlyTable('orders', 'N'));
  await putItems(accountClient(dst), 'orders', [{ pk: { N: '1' } }, { pk: { N: '2' } }, { pk: { N: '3' } }]);
  proxy.reset();
  sts.reset();
});

afterEach(() => {
  restoreStsEndpoint();
});

function copyOptions(flags: RawOptions = {}) {
  return localCopyOptions({ account: src, table: 'orders' }, { account: dst, table: 'orders' }, flags);
}

/** The old target, as an independent client sees it: still its three items with a numeric key. */
async function expectTargetUntouched(): Promise<void> {
  const items = await scanAll(accountClient(dst), 'orders');
  expect(items.map((item) => item.pk?.N).sort()).toEqual(['1', '2', '3']);
}

describe('--expect-target-account / --expect-source-account', () => {
  it('a target whose credentials belong to another account is refused (exit 2) before any request reaches a table', async () => {
    const outcome = await runCopy(copyOptions({ yes: true, expectTargetAccount: ELSEWHERE }));
    expect(outcome.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(outcome.error?.side).toBe('target');
    expect(outcome.error?.message).toBe(
      `The target credentials, the credentials given, belong to account ${STAGING}, not ${ELSEWHERE} as expectTargetAccount says. STS says the caller is arn:aws:iam::${STAGING}:user/staging-writer.`,
    );
    expect(outcome.error?.hint).toContain('Nothing was touched');
    // Not even a DescribeTable: the check comes first.
    expect(proxy.counts().requests).toEqual({});
    expect(outcome.summary.status).toBe('failed');
    // The --json document names the account the credentials resolved to.
    expect(outcome.summary.target.account).toBe(STAGING);
    await expectTargetUntouched();
    // Both sides were asked who they are, each with its own keys.
    expect(
      sts
        .identityCalls()
        .map((call) => call.callerAccessKeyId)
        .sort(),
    ).toEqual([src.accessKeyId, dst.accessKeyId].sort());
  });

  it('a source role that lands in another account is refused, naming the role and both accounts', async () => {
    const reader = `arn:aws:iam::${ELSEWHERE}:role/reader`;
    sts.roles[reader] = { accountKeyId: src.accessKeyId };
    const base = copyOptions({ yes: true, expectSourceAccount: PROD });
    const outcome = await runCopy({ ...base, source: { ...base.source, roleArn: reader } });
    expect(outcome.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(outcome.error?.side).toBe('source');
    expect(outcome.error?.message).toContain(`role ${reader}`);
    expect(outcome.error?.message).toContain(`belong to account ${ELSEWHERE}, not ${PROD}`);
    expect(outcome.error?.message).toContain(`arn:aws:sts::${ELSEWHERE}:assumed-role/reader/ddbcopy-source-`);
    expect(proxy.counts().requests).toEqual({});
    await expectTargetUntouched();
  });

  it('the right accounts: the copy runs, and its summary names both accounts', async () => {
    const outcome = await runCopy(
      copyOptions({ yes: true, expectSourceAccount: PROD, expectTargetAccount: STAGING }),
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.source.account).toBe(PROD);
    expect(outcome.summary.target.account).toBe(STAGING);
    expect((await scanAll(accountClient(dst), 'orders')).length).toBe(20);
  });

  it('a table set (copy --tables) is refused as a whole, before any table is deleted', async () => {
    const set = validateTableSetOptions(
      {
        tables: 'orders',
        sourceRegion: src.region,
        targetRegion: dst.region,
        sourceEndpointUrl: proxy.endpoint,
        targetEndpointUrl: proxy.endpoint,
        expectTargetAccount: ELSEWHERE,
        checkpoint: path.join(scratch, `set-${randomUUID()}.json`),
        yes: true,
      },
      'copy',
    );
    const keys = (account: LocalAccount) => ({
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    });
    const outcome = await runCopyTables({
      ...set,
      source: { ...set.source, credentials: keys(src) },
      target: { ...set.target, credentials: keys(dst) },
    });
    expect(outcome.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(outcome.error?.message).toContain(`belong to account ${STAGING}, not ${ELSEWHERE}`);
    await expectTargetUntouched();
  });

  it('import (which deletes too) is refused before the export is read or the target described', async () => {
    const out = path.join(scratch, `export-${randomUUID()}`);
    const exported = await runExport({
      source: localSideConfig(src, 'orders'),
      out,
      segments: undefined,
      consistentRead: false,
    });
    expect(exported.error).toBeUndefined();
    expect(exported.summary.source.account).toBe(PROD);
    proxy.reset();
    const options = validateImportOptions({
      from: out,
      target: 'orders',
      targetRegion: dst.region,
      targetEndpointUrl: proxy.endpoint,
      expectTargetAccount: ELSEWHERE,
      checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
      yes: true,
    });
    const outcome = await runImport({
      ...options,
      target: { ...options.target, credentials: { accessKeyId: dst.accessKeyId, secretAccessKey: 'x' } },
    });
    expect(outcome.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(proxy.counts().requests).toEqual({});
    await expectTargetUntouched();
  });

  it('verify checks the accounts too (it only reads) and names them in its summary', async () => {
    const options = validateVerifyOptions({
      source: 'orders',
      target: 'orders',
      sourceRegion: src.region,
      targetRegion: dst.region,
      sourceEndpointUrl: proxy.endpoint,
      targetEndpointUrl: proxy.endpoint,
      expectSourceAccount: ELSEWHERE,
    });
    const withKeys = {
      ...options,
      source: { ...options.source, credentials: localSideConfig(src, 'orders').credentials! },
      target: { ...options.target, credentials: localSideConfig(dst, 'orders').credentials! },
    };
    const refused = await runVerify(withKeys);
    expect(refused.error?.code).toBe('ACCOUNT_MISMATCH');
    expect(refused.error?.side).toBe('source');
    const matching = await runVerify({
      ...withKeys,
      source: { ...withKeys.source, expectAccount: PROD },
    });
    expect(matching.error).toBeUndefined();
    expect(matching.summary.source.account).toBe(PROD);
    expect(matching.summary.target.account).toBe(STAGING);
  });
});

describe('who each side is, shown before anything is deleted', () => {
  it('--dry-run: the plan carries each side (account, caller, region) and what the target holds now', async () => {
    const outcome = await runCopy(copyOptions({ dryRun: true }));
    expect(outcome.error).toBeUndefined();
    expect(outcome.summary.status).toBe('planned');
    expect(outcome.plan?.sides?.source).toMatchObject({
      account: PROD,
      arn: `arn:aws:iam::${PROD}:user/prod-reader`,
      region: 'eu-west-1',
      givenCredentials: true,
    });
    expect(outcome.plan?.sides?.target).toMatchObject({ account: STAGING, region: 'eu-central-1' });
    expect(outcome.plan?.existingTarget?.items).toBe(3);
    expect(outcome.plan?.deleteTarget).toBe(true);
    await expectTargetUntouched();
  });

  it('the deletion question names the account, the credentials, the region and the size of the table', async () => {
    let asked: unknown;
    const outcome = await runCopy(copyOptions(), {
      confirmDeletion: async (question) => {
        asked = { ...question, plan: undefined };
        return false;
      },
    });
    expect(outcome.error?.code).toBe('DELETION_NOT_CONFIRMED');
    expect(asked).toMatchObject({
      table: 'orders',
      region: 'eu-central-1',
      items: 3,
      who: {
        account: STAGING,
        arn: `arn:aws:iam::${STAGING}:user/staging-writer`,
        region: 'eu-central-1',
        endpoint: proxy.endpoint,
      },
    });
    await expectTargetUntouched();
  });

  it('a local endpoint with no STS configured: no account is asked for, and an expected one is refused as unverifiable', async () => {
    delete process.env.AWS_ENDPOINT_URL_STS;
    const planned = await runCopy(copyOptions({ dryRun: true }));
    expect(planned.error).toBeUndefined();
    expect(planned.plan?.sides?.target.account).toBeUndefined();
    expect(planned.plan?.sides?.target.accountUnknown?.reason).toBe('local-endpoint');
    expect(planned.summary.target).not.toHaveProperty('account');
    expect(planned.summary.warnings).toEqual([]);

    proxy.reset();
    const refused = await runCopy(copyOptions({ yes: true, expectTargetAccount: STAGING }));
    expect(refused.error?.code).toBe('INVALID_OPTION');
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.error?.message).toContain('expectTargetAccount 222222222222 cannot be checked');
    expect(refused.error?.message).toContain('DynamoDB Local has no accounts');
    expect(refused.error?.hint).toContain('AWS_ENDPOINT_URL_STS');
    expect(proxy.counts().requests).toEqual({});
    expect(sts.identityCalls()).toEqual([]);
    await expectTargetUntouched();
  });

  it('STS unreachable: a warning without --expect-*, a refusal with it', async () => {
    // A port nobody listens on: the connection is refused at once.
    const closed = await startFakeSts({ roles: {} });
    const unreachable = closed.endpoint;
    await closed.close();
    process.env.AWS_ENDPOINT_URL_STS = unreachable;
    const planned = await runCopy(copyOptions({ dryRun: true }));
    expect(planned.error).toBeUndefined();
    expect(planned.plan?.sides?.target.accountUnknown?.reason).toBe('sts-failed');
    expect(
      planned.summary.warnings.some((w) => w.startsWith('Could not tell which account the target')),
    ).toBe(true);

    const refused = await runCopy(copyOptions({ yes: true, expectTargetAccount: STAGING }));
    expect(refused.error?.code).toBe('CREDENTIALS');
    expect(refused.exitCode).toBe(EXIT.badInput);
    expect(refused.error?.message).toContain('expectTargetAccount 222222222222 cannot be checked');
    await expectTargetUntouched();
  });
});
