/**
 * Who a side is, before anything is deleted (issue "the first hour", item 4), the parts that need no
 * server: --expect-source-account / --expect-target-account validated like any flag (12 digits, exit
 * 2 before anything is opened), the check against what STS said, and how the plan, the deletion
 * prompts and a set's plan show each side's account, profile or role, region and size.
 * The runs against tables and a fake STS are in test/integration/who-am-i.test.ts.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmDeletion, confirmSetDeletion } from '../../src/cli/confirm.js';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { humanPlan } from '../../src/cli/render/summary.js';
import { humanTablesPlan } from '../../src/cli/render/tables-summary.js';
import { AccountMismatchError, CredentialsError, EXIT, InvalidOptionError } from '../../src/errors.js';
import type { SideIdentity } from '../../src/model/side-identity.js';
import type { CopyPlan } from '../../src/plan/copy-plan.js';
import { estimateCopy } from '../../src/plan/cost-estimate.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import type { CopySummary } from '../../src/runs/copy/summary.js';
import { validateExportOptions } from '../../src/runs/export/options.js';
import { validateImportOptions } from '../../src/runs/import/options.js';
import { checkAccount } from '../../src/runs/shared/side-account.js';
import { validateTableSetOptions } from '../../src/runs/tables/options.js';
import type { TablePlanEntry } from '../../src/runs/tables/set-plan.js';
import { validateVerifyOptions } from '../../src/runs/verify/options.js';

function terminal(): { io: CliIO; stdin: PassThrough; asked: () => string } {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let asked = '';
  stderr.on('data', (chunk) => {
    asked += String(chunk);
  });
  return { io: { stdin, stderr, stdout: new PassThrough() } as unknown as CliIO, stdin, asked: () => asked };
}

const STAGING: SideIdentity = {
  account: '222222222222',
  arn: 'arn:aws:sts::222222222222:assumed-role/writer/ddbcopy-target-1',
  profile: 'staging',
  roleArn: 'arn:aws:iam::222222222222:role/writer',
  region: 'eu-central-1',
};
const PROD: SideIdentity = {
  account: '111111111111',
  arn: 'arn:aws:iam::111111111111:user/ci',
  profile: 'prod',
  region: 'eu-west-1',
};

describe('--expect-source-account / --expect-target-account', () => {
  it('12 digits become the side config; the console form with dashes is taken too', () => {
    const options = validateCopyOptions({
      source: 'a',
      target: 'b',
      expectSourceAccount: '111111111111',
      expectTargetAccount: '2222-2222-2222',
    });
    expect(options.source.expectAccount).toBe('111111111111');
    expect(options.target.expectAccount).toBe('222222222222');
    expect(validateCopyOptions({ source: 'a', target: 'b' }).target).not.toHaveProperty('expectAccount');
  });

  it.each(['12345', '1234567890123', 'prod', '11111111111a', ''])(
    "'%s' is refused: InvalidOptionError, exit 2, naming the flag",
    (value) => {
      let error: unknown;
      try {
        validateCopyOptions({ source: 'a', target: 'b', expectTargetAccount: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).exitCode).toBe(EXIT.badInput);
      expect((error as InvalidOptionError).side).toBe('target');
      expect((error as Error).message).toBe(
        `--expect-target-account must be a 12-digit AWS account id, not '${value}'.`,
      );
    },
  );

  it('every command with a side takes it: verify, export, import, a set', () => {
    const both = { expectSourceAccount: '111111111111', expectTargetAccount: '222222222222' };
    const verify = validateVerifyOptions({ source: 'a', target: 'b', ...both });
    expect([verify.source.expectAccount, verify.target.expectAccount]).toEqual([
      '111111111111',
      '222222222222',
    ]);
    expect(validateExportOptions({ source: 'a', out: '/tmp/x', ...both }).source.expectAccount).toBe(
      '111111111111',
    );
    expect(validateImportOptions({ target: 'b', from: '/tmp/x', ...both }).target.expectAccount).toBe(
      '222222222222',
    );
    const set = validateTableSetOptions({ tables: 'prod-*', ...both }, 'copy');
    expect(set.target.expectAccount).toBe('222222222222');
  });

  it('does not move the run record: the same checkpoint and set record with or without it', () => {
    const plain = validateCopyOptions({ source: 'a', target: 'b', targetProfile: 'staging' });
    const guarded = validateCopyOptions({
      source: 'a',
      target: 'b',
      targetProfile: 'staging',
      expectTargetAccount: '222222222222',
    });
    expect(guarded.checkpoint).toBe(plain.checkpoint);
    const set = (extra: Record<string, string>) =>
      validateTableSetOptions({ tables: 'prod-*', ...extra }, 'copy').checkpoint;
    expect(set({ expectTargetAccount: '222222222222' })).toBe(set({}));
  });

  it('the command line refuses a bad one before connecting to anything (exit 2)', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => {
      text += String(chunk);
    });
    const io = { stdin: new PassThrough(), stdout, stderr } as unknown as CliIO;
    const code = await main(
      ['copy', '--source', 'a', '--target', 'b', '--region', 'eu-west-1', '--expect-target-account', '2222'],
      io,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(code).toBe(2);
    expect(text).toContain("--expect-target-account must be a 12-digit AWS account id, not '2222'.");
  });
});

describe('checkAccount', () => {
  it('the right account passes', () => {
    expect(() => checkAccount(STAGING, 'target', { expectAccount: '222222222222' })).not.toThrow();
    expect(() => checkAccount(STAGING, 'target', {})).not.toThrow();
  });

  it('another account: AccountMismatchError naming both accounts, the role and its profile', () => {
    let error: unknown;
    try {
      checkAccount(STAGING, 'target', { expectAccount: '333333333333' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AccountMismatchError);
    const mismatch = error as AccountMismatchError;
    expect(mismatch.code).toBe('ACCOUNT_MISMATCH');
    expect(mismatch.exitCode).toBe(EXIT.badInput);
    expect(mismatch.message).toBe(
      'The target credentials, role arn:aws:iam::222222222222:role/writer (assumed with profile staging), belong to account 222222222222, not 333333333333 as --expect-target-account says. STS says the caller is arn:aws:sts::222222222222:assumed-role/writer/ddbcopy-target-1.',
    );
    expect(mismatch.hint).toContain("'aws sts get-caller-identity --profile staging'");
  });

  it('an account that cannot be known is refused when one is expected, and only then', () => {
    const local: SideIdentity = {
      region: 'eu-west-1',
      endpoint: 'http://localhost:8000',
      accountUnknown: {
        reason: 'local-endpoint',
        message: 'the target endpoint http://localhost:8000 is on this machine',
      },
    };
    expect(() => checkAccount(local, 'target', { expectAccount: '222222222222' })).toThrow(
      InvalidOptionError,
    );
    const warnings: string[] = [];
    checkAccount(local, 'target', {}, (message) => warnings.push(message));
    expect(warnings).toEqual([]);

    const offline: SideIdentity = {
      region: 'eu-west-1',
      accountUnknown: { reason: 'sts-failed', message: 'STS GetCallerIdentity failed: connect ECONNREFUSED' },
    };
    expect(() => checkAccount(offline, 'source', { expectAccount: '111111111111' })).toThrow(
      CredentialsError,
    );
    checkAccount(offline, 'source', {}, (message) => warnings.push(message));
    expect(warnings).toEqual([
      "Could not tell which account the source side's credentials belong to: STS GetCallerIdentity failed: connect ECONNREFUSED.",
    ]);
  });
});

describe('shown before anything is deleted', () => {
  const plan = {
    mode: 'recreate',
    deleteTarget: true,
    createTable: undefined,
    lateSettings: [],
    copyItems: true,
    keyAttributes: ['pk'],
    segments: 1,
    scanConcurrency: 1,
    writeConcurrency: 16,
    scanLimit: 1000,
    readUnitsPerPage: 1,
    readRate: undefined,
    writeRate: undefined,
    estimate: estimateCopy({
      size: { items: 5000, bytes: 1_048_576 },
      copyItems: true,
      consistentRead: false,
      source: { mode: 'on-demand' },
      target: { mode: 'on-demand' },
      readRate: undefined,
      writeRate: undefined,
      targetIndexes: 0,
      sourceRegion: 'eu-west-1',
      targetRegion: 'eu-central-1',
    }),
    existingTarget: { items: 1234, bytes: 2048 },
    sides: { source: PROD, target: STAGING },
    warnings: [],
  } as CopyPlan;
  const summary = {
    source: { table: 'orders', region: 'eu-west-1', endpoint: null, account: PROD.account },
    target: { table: 'orders', region: 'eu-central-1', endpoint: null, account: STAGING.account },
  } as CopySummary;

  it('--dry-run: each side with its account and credentials, and what the target holds now', () => {
    expect(humanPlan(plan, summary).split('\n').slice(0, 4)).toEqual([
      'Plan (dry run: nothing was changed)',
      "  source     'orders' in eu-west-1, account 111111111111, profile prod",
      "  target     'orders' in eu-central-1, account 222222222222, role arn:aws:iam::222222222222:role/writer (assumed with profile staging); holds ~1,234 items, 2.00 KB now",
      "  action     DELETE the existing 'orders', then create it anew",
    ]);
    const local = humanPlan(
      {
        ...plan,
        deleteTarget: false,
        existingTarget: undefined,
        sides: {
          source: {
            region: 'eu-west-1',
            endpoint: 'http://localhost:8000',
            givenCredentials: true,
            accountUnknown: { reason: 'local-endpoint', message: '' },
          },
          target: {
            region: 'eu-west-1',
            endpoint: 'http://localhost:8000',
            accountUnknown: { reason: 'local-endpoint', message: '' },
          },
        },
      },
      summary,
    );
    expect(local).toContain(
      "  source     'orders' in eu-west-1 at http://localhost:8000, no account (local endpoint), the credentials given",
    );
    expect(local).toContain("  action     create 'orders'");
  });

  it('the deletion prompt: the table, its size, the account and caller, the credentials, the region', async () => {
    const t = terminal();
    const asked = confirmDeletion(t.io, {
      table: 'orders',
      region: 'eu-central-1',
      endpoint: undefined,
      who: STAGING,
      items: 1234,
      bytes: 2048,
    });
    t.stdin.write('orders\n');
    expect(await asked).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.asked()).toBe(
      [
        "The target table 'orders' exists and will be DELETED with all its items (~1,234 items, 2.00 KB):",
        '  account   222222222222 (arn:aws:sts::222222222222:assumed-role/writer/ddbcopy-target-1)',
        '  as        role arn:aws:iam::222222222222:role/writer (assumed with profile staging)',
        '  region    eu-central-1',
        'Type the table name to confirm: ',
      ].join('\n'),
    );
  });

  it("a set's one deletion prompt says who the target side is", async () => {
    const t = terminal();
    const asked = confirmSetDeletion(t.io, {
      who: STAGING,
      targets: [{ table: 'staging-orders', region: 'eu-central-1', endpoint: null, items: 5000, bytes: 1 }],
    });
    t.stdin.write('1\n');
    expect(await asked).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.asked()).toBe(
      [
        'This target table exists and will be DELETED with all its items:',
        '  staging-orders  eu-central-1  5,000 items',
        'on the target side:',
        '  account   222222222222 (arn:aws:sts::222222222222:assumed-role/writer/ddbcopy-target-1)',
        '  as        role arn:aws:iam::222222222222:role/writer (assumed with profile staging)',
        '  region    eu-central-1',
        'Type 1 to delete this table: ',
      ].join('\n'),
    );
  });

  it("a set's --dry-run names each side once, before the tables", () => {
    const entry: TablePlanEntry = {
      pair: { source: 'prod-orders', target: 'staging-orders' },
      action: 'create',
      deletesTarget: false,
      target: { table: 'staging-orders', region: 'eu-central-1', endpoint: null },
      estimate: { items: 10, bytes: 100 },
      sides: { source: PROD, target: STAGING },
      warnings: [],
    };
    expect(humanTablesPlan([entry]).split('\n').slice(0, 3)).toEqual([
      'Plan (dry run: nothing was changed): 1 table',
      '  source side: account 111111111111, profile prod, eu-west-1',
      '  target side: account 222222222222, role arn:aws:iam::222222222222:role/writer (assumed with profile staging), eu-central-1',
    ]);
  });
});
