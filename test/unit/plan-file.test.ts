import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { PLAN_FILE_SETTINGS, validatePlanFile } from '../../src/plan/plan-file.js';

/** The InvalidOptionError validatePlanFile throws for `value` (exit 2), for its exact words. */
function refusal(value: unknown): InvalidOptionError {
  let caught: unknown;
  try {
    validatePlanFile(value, 'refresh.yaml');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect((caught as InvalidOptionError).exitCode).toBe(2);
  return caught as InvalidOptionError;
}

const ALLOWED_ENTRY_KEYS =
  'source, target, data-only, schema-only, read-rate, write-rate, skip, billing-mode, read-capacity, write-capacity, sse-kms-key-id, segments, concurrency, consistent-read';

describe('validatePlanFile', () => {
  it('reads the example plan: defaults, targets and per-table settings keyed in camelCase', () => {
    const plan = validatePlanFile(
      {
        defaults: { 'write-rate': '50%', skip: ['pitr'] },
        tables: [
          { source: 'prod-orders', target: 'staging-orders', 'data-only': true },
          {
            source: 'prod-users',
            'billing-mode': 'on-demand',
            'sse-kms-key-id': 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
          },
        ],
      },
      'refresh.yaml',
    );
    expect(plan).toEqual({
      defaults: { writeRate: '50%', skip: 'pitr' },
      tables: [
        { source: 'prod-orders', target: 'staging-orders', overrides: { dataOnly: true } },
        {
          source: 'prod-users',
          overrides: { billingMode: 'on-demand', sseKmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abcd' },
        },
      ],
    });
    expect('target' in plan.tables[1]!).toBe(false);
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.tables[0]!.overrides)).toBe(true);
  });

  it('turns numbers into strings and skip lists into one comma string', () => {
    const plan = validatePlanFile(
      {
        defaults: { 'write-rate': 500, segments: 8, skip: ['pitr', 'ttl'] },
        tables: [
          { source: 'orders', 'read-capacity': 25, skip: 'streams,tags' },
          { source: 'users', skip: [] },
        ],
      },
      'plan.json',
    );
    expect(plan.defaults).toEqual({ writeRate: '500', segments: '8', skip: 'pitr,ttl' });
    expect(plan.tables[0]!.overrides).toEqual({ readCapacity: '25', skip: 'streams,tags' });
    // An empty list overrides the defaults' skip: nothing is skipped for this table.
    expect(plan.tables[1]!.overrides).toEqual({ skip: '' });
  });

  it('accepts camelCase and kebab-case spellings of every setting', () => {
    const kebab = Object.fromEntries(
      PLAN_FILE_SETTINGS.map((flag) => [
        flag,
        ['data-only', 'schema-only', 'consistent-read'].includes(flag) ? true : '1',
      ]),
    );
    const camel = Object.fromEntries(
      Object.entries(kebab).map(([flag, value]) => [
        flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
        value,
      ]),
    );
    const expected = {
      dataOnly: true,
      schemaOnly: true,
      readRate: '1',
      writeRate: '1',
      skip: '1',
      billingMode: '1',
      readCapacity: '1',
      writeCapacity: '1',
      sseKmsKeyId: '1',
      segments: '1',
      concurrency: '1',
      consistentRead: true,
    };
    const plan = validatePlanFile({ defaults: kebab, tables: [{ source: 'orders', ...camel }] }, 'p.yaml');
    expect(plan.defaults).toEqual(expected);
    expect(plan.tables[0]!.overrides).toEqual(expected);
  });

  it('refuses an unknown key in an entry, naming the entry and listing the allowed keys', () => {
    const error = refusal({ tables: [{ source: 'orders' }, { source: 'users', write_rate: 10 }] });
    expect(error.message).toBe("Plan file refresh.yaml, tables[1] (users): unknown key 'write_rate'.");
    expect(error.hint).toBe(
      `Allowed keys: ${ALLOWED_ENTRY_KEYS} (settings may also be written in camelCase, e.g. writeRate).`,
    );
  });

  it('refuses source and target in defaults', () => {
    const error = refusal({ defaults: { target: 'x' }, tables: [{ source: 'orders' }] });
    expect(error.message).toBe("Plan file refresh.yaml, defaults: unknown key 'target'.");
    expect(error.hint).toBe(
      `Allowed keys: ${PLAN_FILE_SETTINGS.join(', ')} (settings may also be written in camelCase, e.g. writeRate).`,
    );
  });

  it('refuses an unknown top-level key', () => {
    const error = refusal({ table: [{ source: 'orders' }] });
    expect(error.message).toBe("Plan file refresh.yaml: unknown key 'table'.");
    expect(error.hint).toBe('The top level takes only: defaults, tables.');
  });

  it.each([
    [{ defaults: {} }, 'Plan file refresh.yaml: there is no `tables` list.'],
    [{ tables: [] }, 'Plan file refresh.yaml, tables: must be a non-empty list, not an empty list.'],
    [
      { tables: { source: 'orders' } },
      'Plan file refresh.yaml, tables: must be a non-empty list, not a mapping.',
    ],
    [[{ source: 'orders' }], 'Plan file refresh.yaml: the file must hold a mapping, not a list.'],
    [null, 'Plan file refresh.yaml: the file must hold a mapping, not empty.'],
    [
      { tables: ['orders'] },
      "Plan file refresh.yaml, tables[0]: must be a mapping with a source, not the text 'orders'.",
    ],
    [{ tables: [{ target: 'orders' }] }, 'Plan file refresh.yaml, tables[0]: has no source.'],
    [
      { tables: [{ source: 'orders ' }] },
      "Plan file refresh.yaml, tables[0].source: 'orders ' is not a table name.",
    ],
    [
      { tables: [{ source: 'orders', target: 'x' }] },
      "Plan file refresh.yaml, tables[0] (orders).target: 'x' is not a table name.",
    ],
    [
      { tables: [{ source: 'orders', target: null }] },
      'Plan file refresh.yaml, tables[0] (orders).target: must be a table name, not empty.',
    ],
    [
      { tables: [{ source: 42 }] },
      'Plan file refresh.yaml, tables[0].source: must be a table name, not the number 42.',
    ],
    [
      { defaults: 'fast', tables: [{ source: 'orders' }] },
      "Plan file refresh.yaml, defaults: must be a mapping of settings, not the text 'fast'.",
    ],
  ])('refuses a malformed file: %j', (value, message) => {
    expect(refusal(value).message).toBe(message);
  });

  it('refuses a duplicate source, naming the first entry', () => {
    const error = refusal({ tables: [{ source: 'orders' }, { source: 'users' }, { source: 'orders' }] });
    expect(error.message).toBe("Plan file refresh.yaml, tables[2]: source 'orders' is already tables[0].");
    expect(error.hint).toBe('List each source table once; to copy one table to two targets, run two plans.');
  });

  it('refuses one setting in both spellings', () => {
    const error = refusal({ tables: [{ source: 'orders', 'write-rate': 5, writeRate: 6 }] });
    expect(error.message).toBe(
      "Plan file refresh.yaml, tables[0] (orders).writeRate: sets 'write-rate' again (as 'write-rate' before).",
    );
  });

  it.each([
    [{ 'data-only': 'true' }, "tables[0] (orders).data-only: must be true or false, not the text 'true'."],
    [{ consistentRead: 1 }, 'tables[0] (orders).consistentRead: must be true or false, not the number 1.'],
    [{ 'write-rate': true }, 'tables[0] (orders).write-rate: must be a string or a number, not true.'],
    [{ 'write-rate': null }, 'tables[0] (orders).write-rate: must be a string or a number, not empty.'],
    [
      { 'sse-kms-key-id': ' ' },
      'tables[0] (orders).sse-kms-key-id: must be a string or a number, not empty.',
    ],
    [{ segments: [4] }, 'tables[0] (orders).segments: must be a string or a number, not a list.'],
    [{ skip: ['pitr', 1] }, 'tables[0] (orders).skip: must be a list of setting names.'],
    [
      { skip: { pitr: true } },
      'tables[0] (orders).skip: must be a string or a list of strings, not a mapping.',
    ],
  ])('refuses a value of the wrong type: %j', (setting, where) => {
    expect(refusal({ tables: [{ source: 'orders', ...setting }] }).message).toBe(
      `Plan file refresh.yaml, ${where}`,
    );
  });
});
