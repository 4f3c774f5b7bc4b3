import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import {
  checkPairs,
  matchesGlob,
  parseRenameRule,
  parseTablePatterns,
  type RenameRule,
  renameTables,
  selectTables,
  type TablePair,
} from '../../src/plan/table-selection.js';

/** The InvalidOptionError `run` throws (exit 2), so a test can check its exact words. */
function refusal(run: () => unknown): InvalidOptionError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect((caught as InvalidOptionError).exitCode).toBe(2);
  return caught as InvalidOptionError;
}

const AVAILABLE = [
  'audit-log',
  'prod-orders',
  'prod-orders-archive',
  'prod-users',
  'prod-users-archive',
  'prod1',
  'prod22',
  'staging-orders',
];

describe('parseTablePatterns', () => {
  it('splits on commas, trims, drops empty and repeated entries', () => {
    expect(parseTablePatterns(' prod-* , audit-log,,prod-*,')).toEqual(['prod-*', 'audit-log']);
  });

  it('accepts globs shorter than a table name', () => {
    expect(parseTablePatterns('*')).toEqual(['*']);
  });

  it('refuses an empty list, naming the flag', () => {
    const error = refusal(() => parseTablePatterns(' , ,', 'exclude'));
    expect(error.message).toBe('--exclude names no table.');
    expect(error.hint).toBe(
      "List table names or globs, separated by commas, e.g. --exclude 'prod-*,audit-log'.",
    );
  });

  it('refuses characters a table name cannot hold, naming the entry', () => {
    const error = refusal(() => parseTablePatterns('prod-orders,prod/*'));
    expect(error.message).toBe("--tables: 'prod/*' is not a table name or a glob.");
    expect(error.hint).toBe(
      "A table name is 3 to 255 characters of letters, digits, '_', '-' and '.'; a glob may also use * (any characters) and ? (one character), e.g. --tables 'prod-*,audit-log'.",
    );
    expect(refusal(() => parseTablePatterns('prod-{a,b}')).message).toBe(
      "--tables: 'prod-{a' is not a table name or a glob.",
    );
    expect(refusal(() => parseTablePatterns('prod-[ab]')).message).toBe(
      "--tables: 'prod-[ab]' is not a table name or a glob.",
    );
  });

  it('refuses literal names outside 3 to 255 characters', () => {
    expect(refusal(() => parseTablePatterns('ab')).message).toBe(
      "--tables: 'ab' is not a table name or a glob.",
    );
    expect(parseTablePatterns('a'.repeat(255))).toEqual(['a'.repeat(255)]);
    expect(() => parseTablePatterns('a'.repeat(256))).toThrow(InvalidOptionError);
  });
});

describe('matchesGlob', () => {
  it.each([
    ['prod-orders', 'prod-*', true],
    ['prod-', 'prod-*', true],
    ['staging-orders', 'prod-*', false],
    ['prod-orders-archive', 'prod-*-archive', true],
    ['prod-orders', 'prod-*-archive', false],
    ['prod1', 'prod?', true],
    ['prod22', 'prod?', false],
    ['prod', 'prod?', false],
    ['prod.orders', 'prod.orders', true],
    ['prodxorders', 'prod.orders', false],
    ['Prod-orders', 'prod-*', false],
    ['a-b-c', '*-*-*', true],
    ['a-b', '*-*-*', false],
    ['anything', '*', true],
  ])("'%s' against '%s' is %s", (name, glob, expected) => {
    expect(matchesGlob(name, glob)).toBe(expected);
  });

  it('stays fast on globs that make a backtracking regular expression explode', () => {
    const started = Date.now();
    expect(matchesGlob('a'.repeat(255), '*a*a*a*a*a*a*a*a*b')).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('selectTables', () => {
  it('selects by glob, drops excluded names, keeps the order of the listing', () => {
    expect(
      selectTables({ available: AVAILABLE, include: ['prod-*', 'audit-log'], exclude: ['prod-*-archive'] }),
    ).toEqual(['audit-log', 'prod-orders', 'prod-users']);
  });

  it("matches '?' to exactly one character", () => {
    expect(selectTables({ available: AVAILABLE, include: ['prod?'], exclude: [] })).toEqual(['prod1']);
  });

  it('lists a table once when several entries select it', () => {
    expect(
      selectTables({ available: AVAILABLE, include: ['prod-users', 'prod-u*', '*-users'], exclude: [] }),
    ).toEqual(['prod-users', 'prod-users-archive']);
  });

  it('refuses a literal name the source does not have, with similar names', () => {
    const error = refusal(() => selectTables({ available: AVAILABLE, include: ['prod-order'], exclude: [] }));
    expect(error.message).toBe("Table 'prod-order' is not in the source account/region.");
    expect(error.hint).toBe(
      'Tables with similar names: prod-orders, prod-orders-archive. Names are case-sensitive.',
    );
    const typo = refusal(() => selectTables({ available: AVAILABLE, include: ['Prod-usres'], exclude: [] }));
    expect(typo.hint).toBe('Tables with similar names: prod-users. Names are case-sensitive.');
  });

  it('lists the first available names when none is similar', () => {
    const error = refusal(() => selectTables({ available: AVAILABLE, include: ['inventory'], exclude: [] }));
    expect(error.hint).toBe(
      "The source's tables include: audit-log, prod-orders, prod-orders-archive, prod-users, prod-users-archive and 3 more.",
    );
  });

  it('refuses a glob that matches nothing, naming it', () => {
    const error = refusal(() => selectTables({ available: AVAILABLE, include: ['dev-*'], exclude: [] }));
    expect(error.message).toBe("--tables 'dev-*' matches no table in the source account/region.");
    expect(error.hint).toBe(
      "The source's tables include: audit-log, prod-orders, prod-orders-archive, prod-users, prod-users-archive and 3 more.",
    );
  });

  it('says when the source has no tables at all', () => {
    const error = refusal(() => selectTables({ available: [], include: ['*'], exclude: [] }));
    expect(error.message).toBe("--tables '*' matches no table in the source account/region.");
    expect(error.hint).toBe('The source has no tables: check the source profile, region and endpoint.');
  });

  it('refuses an exclude that removes everything', () => {
    const error = refusal(() =>
      selectTables({ available: AVAILABLE, include: ['prod-*-archive'], exclude: ['*-archive'] }),
    );
    expect(error.message).toBe(
      '--exclude removes every table --tables selects (prod-orders-archive, prod-users-archive); nothing is left to copy.',
    );
    expect(error.hint).toBe('Narrow --exclude, or widen --tables.');
  });

  it('keeps only tagged tables', () => {
    expect(
      selectTables({
        available: AVAILABLE,
        include: ['prod-*'],
        exclude: ['prod-*-archive'],
        tagged: { tag: 'team=orders', names: new Set(['prod-orders', 'staging-orders']) },
      }),
    ).toEqual(['prod-orders']);
  });

  it('refuses a tag filter that leaves nothing', () => {
    const error = refusal(() =>
      selectTables({
        available: AVAILABLE,
        include: ['prod-*'],
        exclude: ['prod-*-archive'],
        tagged: { tag: 'team=billing', names: new Set(['staging-orders']) },
      }),
    );
    expect(error.message).toBe(
      "None of the 2 selected table(s) carries the tag 'team=billing'; nothing is left to copy.",
    );
    expect(error.hint).toBe(
      'Selected before the tag filter: prod-orders, prod-users. Tag keys and values are case-sensitive.',
    );
  });
});

describe('parseRenameRule', () => {
  it('reads the prefix form, with an empty TO allowed', () => {
    expect(parseRenameRule('prod-=staging-')).toEqual({
      kind: 'prefix',
      from: 'prod-',
      to: 'staging-',
      text: 'prod-=staging-',
    });
    expect(parseRenameRule('prod-=')).toEqual({ kind: 'prefix', from: 'prod-', to: '', text: 'prod-=' });
  });

  it('reads the pattern form, anchored to the whole name, with = inside the pattern', () => {
    const rule = parseRenameRule('/(?=p)prod-(.*)/=staging-$1');
    expect(rule.kind).toBe('pattern');
    if (rule.kind !== 'pattern') return;
    expect(rule.pattern.source).toBe('^(?:(?=p)prod-(.*))$');
    expect(rule.to).toBe('staging-$1');
  });

  // A loop, not it.each: it.each reads '$1' in a title as a placeholder.
  for (const [text, problem] of <[string, string][]>[
    ['prod-orders', 'there is no =.'],
    ['=staging-', 'the name or prefix before = is empty.'],
    [
      'prod-*=staging-',
      "a prefix rule holds only table-name characters (letters, digits, '_', '-', '.'); for wildcards, use /REGEX/=TO.",
    ],
    ['/prod-(.*=x', 'the pattern has no closing /.'],
    ['/prod-(.*)/i=x', "the pattern's closing / must be followed by =."],
    ['//=x', 'the pattern is empty.'],
    ['/prod-(.*)/=', 'the new name after = is empty.'],
    ['/prod-(.*)/=staging-$2', "'$2' refers to a group the pattern does not have (it has 1)."],
    ['/prod-(?<rest>.*)/=staging-$<name>', "'$<name>' names no group of the pattern."],
    [
      '/prod-(.*)/=staging-$$',
      "a '$' in the new name must start $1, $<name> or $& (table names cannot hold '$').",
    ],
  ]) {
    it(`refuses ${text}`, () => {
      const error = refusal(() => parseRenameRule(text));
      expect(error.message).toBe(`--rename '${text}': ${problem}`);
      expect(error.hint).toBe(
        "Write FROM=TO, e.g. --rename prod-=staging- (a prefix), --rename prod-orders=orders-copy (one table) or --rename '/prod-(.*)-v1/=staging-$1' (a pattern).",
      );
    });
  }

  it('refuses an invalid regular expression, saying why', () => {
    const error = refusal(() => parseRenameRule('/prod-(?<x.*)/=y'));
    expect(error.message).toMatch(
      /^--rename '\/prod-\(\?<x\.\*\)\/=y': the pattern is not a valid regular expression \(.+\)\.$/,
    );
  });
});

describe('renameTables', () => {
  const rules = (...texts: string[]): RenameRule[] => texts.map(parseRenameRule);

  it('replaces a prefix and leaves other names as they are', () => {
    expect(renameTables(['prod-orders', 'audit-log'], rules('prod-=staging-'))).toEqual([
      { source: 'prod-orders', target: 'staging-orders' },
      { source: 'audit-log', target: 'audit-log' },
    ]);
  });

  it('renames one table by its full name', () => {
    expect(renameTables(['prod-orders'], rules('prod-orders=orders-copy'))).toEqual([
      { source: 'prod-orders', target: 'orders-copy' },
    ]);
  });

  it('applies a pattern to the whole name only, with $1 and $<name>', () => {
    expect(
      renameTables(
        ['orders-v1', 'users-v1', 'orders-v1-old'],
        rules('/(.*)-v1/=$1-v2', '/(?<base>.*)-v1-old/=$<base>-archive'),
      ),
    ).toEqual([
      { source: 'orders-v1', target: 'orders-v2' },
      { source: 'users-v1', target: 'users-v2' },
      { source: 'orders-v1-old', target: 'orders-archive' },
    ]);
  });

  it("reads $& as the whole name and '$10' as group 1 then '0' when there is one group", () => {
    expect(renameTables(['orders', 'abc'], rules('/orders/=$&-copy', '/(a.c)/=$10'))).toEqual([
      { source: 'orders', target: 'orders-copy' },
      { source: 'abc', target: 'abc0' },
    ]);
  });

  it('lets the first matching rule win', () => {
    expect(
      renameTables(['prod-orders', 'prod-users'], rules('prod-orders=orders-copy', 'prod-=staging-')),
    ).toEqual([
      { source: 'prod-orders', target: 'orders-copy' },
      { source: 'prod-users', target: 'staging-users' },
    ]);
    expect(renameTables(['prod-orders'], rules('prod-=staging-', 'prod-orders=orders-copy'))).toEqual([
      { source: 'prod-orders', target: 'staging-orders' },
    ]);
  });
});

describe('checkPairs', () => {
  const pairs = (...list: [string, string][]): TablePair[] =>
    list.map(([source, target]) => ({ source, target }));

  it('accepts distinct, valid targets', () => {
    expect(() =>
      checkPairs(pairs(['prod-orders', 'staging-orders'], ['prod-users', 'staging-users']), {
        sameLocation: true,
      }),
    ).not.toThrow();
  });

  it('refuses a produced name that is not a table name', () => {
    const [pair] = renameTables(['prod-ab'], [parseRenameRule('prod-=')]);
    expect(pair).toEqual({ source: 'prod-ab', target: 'ab' });
    const error = refusal(() => checkPairs([pair!], { sameLocation: false }));
    expect(error.message).toBe("Table 'prod-ab' would be copied to 'ab', which is not a valid table name.");
    expect(error.hint).toBe(
      "A table name is 3 to 255 characters of letters, digits, '_', '-' and '.'. Add or fix --rename so each table gets its own new name (the first rule that matches a name applies).",
    );
  });

  it('refuses two sources with one target, naming both', () => {
    const renamed = renameTables(
      ['prod-orders', 'stage-orders'],
      [parseRenameRule('prod-=new-'), parseRenameRule('stage-=new-')],
    );
    const error = refusal(() => checkPairs(renamed, { sameLocation: false }));
    expect(error.message).toBe(
      "Tables 'prod-orders' and 'stage-orders' would both be copied to 'new-orders'.",
    );
    expect(error.hint).toBe(
      'Add or fix --rename so each table gets its own new name (the first rule that matches a name applies).',
    );
  });

  it('refuses a source listed twice', () => {
    const error = refusal(() =>
      checkPairs(pairs(['prod-orders', 'a-orders'], ['prod-orders', 'b-orders']), { sameLocation: false }),
    );
    expect(error.message).toBe("Table 'prod-orders' is in the set twice.");
  });

  it('refuses renaming onto another source only at the same location', () => {
    const renamed = renameTables(['orders', 'orders-v2'], [parseRenameRule('orders=orders-v2')]);
    expect(renamed).toEqual([
      { source: 'orders', target: 'orders-v2' },
      { source: 'orders-v2', target: 'orders-v2-v2' },
    ]);
    expect(() => checkPairs(renamed, { sameLocation: false })).not.toThrow();
    const error = refusal(() => checkPairs(renamed, { sameLocation: true }));
    expect(error.message).toBe(
      "Copying 'orders' to 'orders-v2' would overwrite the source table 'orders-v2': both sides are the same account and region.",
    );
    expect(error.hint).toBe(
      'Add or fix --rename so each table gets its own new name (the first rule that matches a name applies), or pick another target account/region.',
    );
  });

  it('allows the identity mapping to another location, refuses it at the same one', () => {
    const identity = renameTables(['prod-orders', 'prod-users'], []);
    expect(identity).toEqual(pairs(['prod-orders', 'prod-orders'], ['prod-users', 'prod-users']));
    expect(() => checkPairs(identity, { sameLocation: false })).not.toThrow();
    expect(refusal(() => checkPairs(identity, { sameLocation: true })).message).toBe(
      "Copying 'prod-orders' to 'prod-orders' would overwrite the source table 'prod-orders': both sides are the same account and region.",
    );
  });
});
