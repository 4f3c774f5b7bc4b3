/**
 * Every request a copy sends carries a SigV4 signature DynamoDB would accept. DynamoDB Local checks
 * none, so both sides go through the fault proxy, which checks signatures by default: it recomputes each signature
 * from the request as received with an implementation of its own (test/harness/sigv4-verify.ts, not
 * the SDK's signer) and answers a bad one as DynamoDB does. That covers the control plane (the SDK:
 * DescribeTable, CreateTable, ...) and the data path (src's wire client: Scan, BatchWriteItem), with
 * long-term keys and with role sessions from the fake STS.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { type KeyAttrs, variedItems } from '../fixtures/items.js';
import { hashRangeTable, PK, SK } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import { CredentialRegistry, startFakeSts } from '../harness/fake-sts.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';
import { secretsOf } from '../harness/sigv4-verify.js';

const endpoint = inject('ddbEndpoint');
const TABLE = 'orders';
const KEYS: KeyAttrs = { pk: { name: PK, type: 'S' }, sk: { name: SK, type: 'N' } };
/** About 1 KB each: more than one 1 MB Scan page and dozens of BatchWriteItem calls. */
const ITEMS = 1500;

describe('signatures checked as DynamoDB checks them, end to end', () => {
  let src: LocalAccount;
  let sourceItems: Map<string, unknown>;

  beforeAll(async () => {
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable(TABLE, 'S', 'N'));
    await putItems(accountClient(src), TABLE, variedItems(ITEMS, 12, KEYS));
    sourceItems = itemsByKey(await scanAll(accountClient(src), TABLE), [PK, SK]);
  }, 60_000);

  /** The same account, reached through the proxy. */
  const via = (proxy: FaultProxy, account: LocalAccount): LocalAccount => ({
    ...account,
    endpoint: proxy.endpoint,
  });

  async function expectTargetIdentical(dst: LocalAccount): Promise<void> {
    const targetItems = itemsByKey(await scanAll(accountClient(dst), TABLE), [PK, SK]);
    expect(targetItems.size).toBe(sourceItems.size);
    for (const [key, item] of sourceItems) expect(targetItems.get(key), key).toStrictEqual(item);
  }

  /** Every request was checked, none refused, and both the SDK's and the wire client's operations were among them. */
  function expectAllCheckedNoneRefused(proxy: FaultProxy): void {
    const counts = proxy.counts();
    expect(proxy.rejectedSignatures()).toEqual([]);
    expect(counts.signatureRejections).toBe(0);
    const total = Object.values(counts.requests).reduce((sum, n) => sum + n, 0);
    expect(counts.signaturesChecked).toBe(total);
    // The data path (wire client) ...
    expect(counts.requests.Scan).toBeGreaterThan(1);
    expect(counts.requests.BatchWriteItem).toBeGreaterThan(ITEMS / 25 - 1);
    // ... and the control plane (SDK).
    expect(counts.requests.DescribeTable).toBeGreaterThan(0);
    expect(counts.requests.CreateTable).toBe(1);
  }

  it('a copy with long-term keys completes identical: every request checked, none refused', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const proxy = await startFaultProxy({ upstream: endpoint, verifySignatures: secretsOf([src, dst]) });
    try {
      const outcome = await runCopy(
        localCopyOptions(
          { account: via(proxy, src), table: TABLE },
          { account: via(proxy, dst), table: TABLE },
          { segments: '4' },
        ),
      );
      expect(proxy.rejectedSignatures()).toEqual([]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.status).toBe('completed');
      expect(outcome.summary.items.written).toBe(ITEMS);
      expectAllCheckedNoneRefused(proxy);
    } finally {
      await proxy.close();
    }
    await expectTargetIdentical(dst);
  });

  it('a proxy checks every signature by default: the keys of the accounts newAccount made', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const proxy = await startFaultProxy({ upstream: endpoint });
    try {
      const outcome = await runCopy(
        localCopyOptions(
          { account: via(proxy, src), table: TABLE },
          { account: via(proxy, dst), table: TABLE },
        ),
      );
      expect(outcome.error).toBeUndefined();
      expectAllCheckedNoneRefused(proxy);
      // A key no account was made with is unknown to the default lookup, as to AWS.
      const stranger = { ...via(proxy, dst), accessKeyId: 'acctunknown', secretAccessKey: 'whatever' };
      const refused = await runCopy(
        localCopyOptions({ account: via(proxy, src), table: TABLE }, { account: stranger, table: 'other' }),
      );
      expect(refused.error?.code).toBe('CREDENTIALS');
      expect(proxy.rejectedSignatures().map((rejection) => rejection.type)).toContain(
        'UnrecognizedClientException',
      );
    } finally {
      await proxy.close();
    }
    await expectTargetIdentical(dst);
  });

  it('a copy with role sessions from the fake STS: each session key is checked with its issued secret', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const reader = 'arn:aws:iam::111111111111:role/reader';
    const writer = 'arn:aws:iam::222222222222:role/writer';
    const registry = new CredentialRegistry();
    const sts = await startFakeSts({
      roles: { [reader]: { accountKeyId: src.accessKeyId }, [writer]: { accountKeyId: dst.accessKeyId } },
      registry,
    });
    // Only the session keys are known to the proxy: a request signed with the base keys is refused.
    const proxy = await startFaultProxy({
      upstream: endpoint,
      credentials: registry,
      verifySignatures: secretsOf([], registry),
    });
    const previous = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
    try {
      const base = localCopyOptions(
        { account: via(proxy, src), table: TABLE },
        { account: via(proxy, dst), table: TABLE },
      );
      const outcome = await runCopy({
        ...base,
        source: { ...base.source, roleArn: reader },
        target: { ...base.target, roleArn: writer },
      });
      expect(proxy.rejectedSignatures()).toEqual([]);
      expect(outcome.error).toBeUndefined();
      expect(outcome.summary.status).toBe('completed');
      expect(registry.issuedCount).toBeGreaterThanOrEqual(2);
      expectAllCheckedNoneRefused(proxy);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = previous;
      await proxy.close();
      await sts.close();
    }
    await expectTargetIdentical(dst);
  });

  it('a wrong secret is refused as DynamoDB refuses it: InvalidSignatureException, a credentials error, nothing written', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const proxy = await startFaultProxy({ upstream: endpoint, verifySignatures: secretsOf([src, dst]) });
    try {
      const outcome = await runCopy(
        localCopyOptions(
          { account: via(proxy, src), table: TABLE },
          { account: { ...via(proxy, dst), secretAccessKey: `${dst.secretAccessKey}x` }, table: TABLE },
        ),
      );
      expect(outcome.error?.code).toBe('CREDENTIALS');
      expect(outcome.error?.side).toBe('target');
      expect(outcome.error?.message).toContain('InvalidSignatureException');
      expect(outcome.error?.message).toContain('The request signature we calculated does not match');
      const rejected = proxy.rejectedSignatures();
      expect(rejected.length).toBeGreaterThan(0);
      expect(proxy.counts().signatureRejections).toBe(rejected.length);
      for (const rejection of rejected) {
        expect(rejection).toMatchObject({ accessKeyId: dst.accessKeyId, type: 'InvalidSignatureException' });
      }
      expect(proxy.counts().requests.BatchWriteItem ?? 0).toBe(0);
    } finally {
      await proxy.close();
    }
    const tables = await accountClient(dst).send(new ListTablesCommand({}));
    expect(tables.TableNames ?? []).toEqual([]);
  });
});
