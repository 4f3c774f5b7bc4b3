import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { copyPolicies } from '../../src/plan/iam-policy.js';
import { type RawOptions, validateCopyOptions } from '../../src/runs/copy/options.js';

const base: RawOptions = { source: 'orders', target: 'orders-copy', dataOnly: true, prune: true };

function refusal(raw: RawOptions): InvalidOptionError {
  let caught: unknown;
  try {
    validateCopyOptions(raw);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect((caught as InvalidOptionError).exitCode).toBe(2);
  return caught as InvalidOptionError;
}

describe('--prune', () => {
  it('is taken with --data-only', () => {
    expect(validateCopyOptions(base).prune).toBe(true);
    expect(validateCopyOptions({ ...base, prune: undefined }).prune).toBeUndefined();
    expect(validateCopyOptions({ ...base, dryRun: true, resume: true }).prune).toBe(true);
  });

  it('needs --data-only: a recreated target has nothing to prune', () => {
    const error = refusal({ ...base, dataOnly: undefined });
    expect(error.message).toMatch(/--prune needs --data-only/);
    expect(error.hint).toMatch(/recreated/);
    expect(refusal({ ...base, dataOnly: undefined, schemaOnly: true }).message).toMatch(/needs --data-only/);
  });

  it('refuses --filter-expression: the items it leaves out would be deleted', () => {
    const error = refusal({ ...base, filterExpression: 'attribute_exists(a)' });
    expect(error.message).toMatch(/--filter-expression.*would be deleted/);
  });

  it('refuses --transform: keys may change', () => {
    expect(refusal({ ...base, transform: './t.mjs' }).message).toMatch(/--transform.*change the keys/);
  });

  it('refuses --via-export and --follow, naming why', () => {
    expect(refusal({ ...base, viaExport: 's3://bucket/prefix' }).message).toMatch(/--prune and --via-export/);
    const follow = refusal({ ...base, follow: true });
    expect(follow.message).toMatch(/--prune and --follow/);
    expect(follow.hint).toMatch(/already applies the source's deletes/);
  });

  it("adds the source's BatchGetItem and the target's Scan to the policies", () => {
    const options = validateCopyOptions(base, 'policy');
    const policies = copyPolicies(options, undefined);
    expect(policies.source.Statement[0]!.Action).toContain('dynamodb:BatchGetItem');
    expect(policies.target.Statement[0]!.Action).toEqual(
      expect.arrayContaining(['dynamodb:Scan', 'dynamodb:BatchWriteItem']),
    );
    const without = copyPolicies(validateCopyOptions({ ...base, prune: undefined }, 'policy'), undefined);
    expect(without.source.Statement[0]!.Action).not.toContain('dynamodb:BatchGetItem');
  });
});
