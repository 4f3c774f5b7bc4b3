/**
 * Bad input that only shows once AWS answers: missing permissions (the fault proxy answers
 * AccessDeniedException for the operations a test names), a role that cannot be assumed (fake STS),
 * no credentials at all, an endpoint nobody listens on. Each gets a typed error naming the side and
 * what to do, exit 2 when nothing was changed yet, and both tables are left as they were.
 */
import net from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localCopyOptions } from '../harness/copy-options.js';
import { startFakeSts } from '../harness/fake-sts.js';
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
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

describe('bad input found by AWS: clear errors, nothing changed', () => {
  let proxy: FaultProxy;
  let src: LocalAccount;

  beforeAll(async () => {
    proxy = await startFaultProxy({ upstream: endpoint });
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(60, 4, KEYS));
  });

  afterAll(async () => {
    await proxy?.close();
  });

  /** A target account holding an old 'orders' with 3 items, to show it is untouched. */
  async function targetWithOldTable(): Promise<LocalAccount> {
    const dst = newAccount(endpoint, 'us-east-1');
    await createTableAndWait(accountClient(dst), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(dst), 'orders', variedItems(3, 9, KEYS));
    return dst;
  }

  it.each([
    ['DescribeTable', 'source', EXIT.badInput],
    ['Scan', 'source', EXIT.badInput],
    ['DescribeTable', 'target', EXIT.badInput],
    ['DeleteTable', 'target', EXIT.badInput],
    ['CreateTable', 'target', EXIT.failed],
    ['BatchWriteItem', 'target', EXIT.failed],
  ] as const)(
    'AccessDenied on %s (%s side) names the missing IAM action',
    async (operation, side, exitCode) => {
      const dst = await targetWithOldTable();
      proxy.configure({ deny: [operation] });
      try {
        // Only the side under test goes through the proxy, so only that side is denied.
        const options = localCopyOptions(
          { account: { ...src, endpoint: side === 'source' ? proxy.endpoint : endpoint }, table: 'orders' },
          { account: { ...dst, endpoint: side === 'target' ? proxy.endpoint : endpoint }, table: 'orders' },
          { yes: true },
        );
        const outcome = await runCopy(options);
        expect(outcome.error?.code).toBe('ACCESS_DENIED');
        expect(outcome.error?.side).toBe(side);
        expect(outcome.error?.message).toContain(`'dynamodb:${operation}'`);
        expect(outcome.error?.hint).toContain(`dynamodb:${operation}`);
        // Exit 2 while nothing changed; 1 once the confirmed deletion of the old target happened.
        expect(outcome.exitCode).toBe(exitCode);
      } finally {
        proxy.configure({ deny: [] });
      }
      expect((await scanAll(accountClient(src), 'orders')).length).toBe(60);
      if (exitCode === EXIT.badInput) expect((await scanAll(accountClient(dst), 'orders')).length).toBe(3);
    },
  );

  it('a role that cannot be assumed (wrong external ID) is a credentials error on that side', async () => {
    const dst = await targetWithOldTable();
    const sts = await startFakeSts({
      roles: {
        'arn:aws:iam::111111111111:role/reader': { accountKeyId: src.accessKeyId, externalId: 'right' },
      },
    });
    const previous = process.env.AWS_ENDPOINT_URL_STS;
    process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
    try {
      const base = localCopyOptions(
        { account: src, table: 'orders' },
        { account: dst, table: 'orders' },
        { yes: true },
      );
      const outcome = await runCopy({
        ...base,
        source: { ...base.source, roleArn: 'arn:aws:iam::111111111111:role/reader', externalId: 'wrong' },
      });
      expect(outcome.error?.code).toBe('CREDENTIALS');
      expect(outcome.error?.side).toBe('source');
      expect(outcome.error?.message).toContain('Could not assume role arn:aws:iam::111111111111:role/reader');
      expect(outcome.error?.hint).toContain('external ID');
      expect(outcome.exitCode).toBe(EXIT.badInput);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_STS;
      else process.env.AWS_ENDPOINT_URL_STS = previous;
      await sts.close();
    }
    expect((await scanAll(accountClient(dst), 'orders')).length).toBe(3);
  });

  it('no credentials anywhere is a credentials error that says where they are looked for', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    // Never ask an instance metadata service: this machine has none, and tests stay on loopback.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    try {
      const options = validateCopyOptions({
        source: 'orders',
        target: 'orders',
        sourceRegion: 'eu-west-1',
        targetRegion: 'us-east-1',
        sourceEndpointUrl: endpoint,
        targetEndpointUrl: endpoint,
        checkpoint: '/tmp/ddbcopy-nocreds.json',
      });
      const outcome = await runCopy(options);
      expect(outcome.error?.code).toBe('CREDENTIALS');
      expect(outcome.error?.side).toBe('source');
      expect(outcome.error?.hint).toContain('sourceProfile');
      expect(outcome.exitCode).toBe(EXIT.badInput);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('an endpoint nobody listens on fails fast, naming it', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const dead = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const outcome = await runCopy(
      localCopyOptions(
        { account: src, table: 'orders' },
        { account: { ...newAccount(dead), endpoint: dead }, table: 'orders' },
      ),
    );
    expect(outcome.error?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(outcome.error?.side).toBe('target');
    expect(outcome.error?.message).toContain(dead);
    expect(outcome.exitCode).toBe(EXIT.badInput);
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(
      accountClient(src).send(new DescribeTableCommand({ TableName: 'orders' })),
    ).resolves.toBeDefined();
  });
});
