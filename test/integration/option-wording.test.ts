/**
 * An error names what its caller typed: the option (`writeRate`) when the library is called from code,
 * the flag (`--write-rate`) from the command line. Both sides of each: the validators, and a run's
 * refusal found once the tables are described (against DynamoDB Local).
 */
import { describe, expect, inject, it } from 'vitest';
import * as library from '../../src/index.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localSideFlags, withLocalCredentials } from '../harness/copy-options.js';
import { accountClient, createTableAndWait, newAccount } from '../harness/local-accounts.js';
import { runMain } from '../harness/run-main.js';

function thrown(run: () => unknown): library.DdbCopyError {
  try {
    run();
  } catch (error) {
    if (library.isDdbCopyError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('validation errors', () => {
  it('from code: the option, in the message and the hint', () => {
    const error = thrown(() => library.validateCopyOptions({ source: 'a', target: 'b', writeRate: 'fast' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(/^writeRate must be capacity units per second/);
    expect(error.message).not.toContain('--');

    const region = thrown(() =>
      library.validateCopyOptions({ source: 'a', target: 'b', sourceRegion: 'eu-west1' }),
    );
    expect(region.hint).toBe('Pass sourceRegion eu-west-1 (or region for both sides).');

    const both = thrown(() =>
      library.validateCopyOptions({ source: 'a', target: 'b', dataOnly: true, schemaOnly: true }),
    );
    expect(both.message).toBe('dataOnly and schemaOnly cannot be used together.');
    expect(both.hint).toMatch(/^Use dataOnly to copy items/);
  });

  it('from code: a command quoted in a hint keeps its flags, as it is to be typed', () => {
    const error = thrown(() =>
      library.validateCopyOptions({ source: 'a', target: 'b', expectSourceAccount: '12' }),
    );
    expect(error.message).toMatch(/^expectSourceAccount must be a 12-digit AWS account id/);
    expect(error.hint).toContain("'aws sts get-caller-identity --profile NAME'");
    // A command ends at its sentence: what follows is prose again.
    expect(library.inOptionWords('Run: aws dynamodb update-table --region x. Or drop --via-export.')).toBe(
      'Run: aws dynamodb update-table --region x. Or drop viaExport.',
    );
  });

  it('from code: every validator the library exports speaks options', () => {
    expect(
      thrown(() => library.validateVerifyOptions({ source: 'a', target: 'b', samples: 'x' })).message,
    ).toMatch(/^samples /);
    expect(thrown(() => library.validateExportOptions({ source: 'a' })).message).toMatch(/\bout\b/);
    expect(thrown(() => library.validateExportOptions({ source: 'a' })).message).not.toContain('--');
    expect(
      thrown(() => library.validateTableSetOptions({ tables: 'a-*', rename: 'nonsense' }, 'copy')).message,
    ).not.toMatch(/--(tables|rename)\b/);
  });

  it('from code: the parsers of import keys and policy sides too', () => {
    expect(thrown(() => library.parseKeySpec('pk')).message).toBe("key: 'pk' is not NAME:TYPE.");
    const policies = { source: {}, target: {}, trust: {} } as unknown as library.CopyPolicies;
    const trust = thrown(() => library.policyOfSide(policies, 'trust'));
    expect(trust.message).toMatch(/^side trust prints/);
    expect(trust.hint).toMatch(/^Name the role with sourceRoleArn or targetRoleArn/);
  });

  it('from the command line: the flag', async () => {
    const result = await runMain(['copy', '--source', 'a', '--target', 'b', '--write-rate', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --write-rate must be capacity units per second/);
    const region = await runMain(['copy', '--source', 'a', '--target', 'b', '--source-region', 'eu-west1']);
    expect(region.stderr).toContain('hint: Pass --source-region eu-west-1 (or --region for both sides).');
  });

  it('a library call made while the CLI runs in the same process keeps its own wording', async () => {
    const [cli, code] = await Promise.all([
      runMain(['copy', '--source', 'a', '--target', 'b', '--write-rate', 'fast']),
      Promise.resolve().then(() =>
        thrown(() => library.validateCopyOptions({ source: 'a', target: 'b', writeRate: 'fast' })),
      ),
    ]);
    expect(cli.stderr).toContain('--write-rate must be');
    expect(code.message).toMatch(/^writeRate must be/);
  });
});

describe("a run's refusal once the tables are described", () => {
  const endpoint = inject('ddbEndpoint');

  it('names readRate from code and --read-rate from the command line', async () => {
    const src = newAccount(endpoint, 'eu-west-1');
    const dst = newAccount(endpoint, 'eu-west-1');
    // On-demand without a maximum: a percentage of its capacity means nothing.
    await createTableAndWait(accountClient(src), hashRangeTable('wording', 'S', 'N'));
    const sides = { source: { account: src, table: 'wording' }, target: { account: dst, table: 'wording' } };
    const flags = { ...localSideFlags(sides.source, sides.target), readRate: '50%', dryRun: true };

    const options = withLocalCredentials(library.validateCopyOptions(flags), sides.source, sides.target);
    const outcome = await library.runCopy(options);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error?.message).toMatch(/^readRate 50% needs the source table's read capacity/);
    expect(outcome.error?.hint).toMatch(/e\.g\. readRate 1000/);
    expect(outcome.summary).toMatchObject({ error: { message: outcome.error?.message } });
    await expect(library.copyTable(options)).rejects.toThrow(/^readRate 50%/);

    // The same refusal through the command line (keys in the environment, as a shell would give them).
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: src.accessKeyId,
      AWS_SECRET_ACCESS_KEY: src.secretAccessKey,
    });
    try {
      const result = await runMain([
        'copy',
        ...['--source', 'wording', '--target', 'wording-copy', '--region', 'eu-west-1'],
        ...['--endpoint-url', endpoint, '--read-rate', '50%', '--dry-run'],
      ]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/error: --read-rate 50% needs the source table's read capacity/);
      expect(result.stderr).toMatch(/hint: .*e\.g\. --read-rate 1000/);
    } finally {
      process.env = saved;
    }
  });
});
