import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import {
  checkMaskRules,
  describeMaskRules,
  FAKE_KINDS,
  formatMaskPath,
  type KeyAttributes,
  type MaskRule,
  parseMaskFile,
  parseMaskRule,
  rulesForTable,
} from '../../src/plan/mask-rules.js';

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

const rules = (...texts: string[]): MaskRule[] => texts.map((text) => parseMaskRule(text));

/** users: key userId (S) + createdAt (N); index byEmail on email (S), byAge on age (N). */
const KEYS: KeyAttributes = {
  table: [
    { name: 'userId', type: 'S' },
    { name: 'createdAt', type: 'N' },
  ],
  indexes: [
    { name: 'email', type: 'S', index: 'byEmail' },
    { name: 'age', type: 'N', index: 'byAge' },
  ],
};

describe('parseMaskRule: paths', () => {
  it('reads a top-level attribute and each rule kind', () => {
    expect(parseMaskRule('email=hash')).toEqual({
      path: [{ kind: 'attribute', name: 'email' }],
      action: { kind: 'hash' },
      text: 'email=hash',
    });
    for (const kind of ['hash', 'redact', 'remove', 'null', 'keep'] as const)
      expect(parseMaskRule(`a=${kind}`).action).toEqual({ kind });
    for (const fake of FAKE_KINDS)
      expect(parseMaskRule(`a=fake:${fake}`).action).toEqual({ kind: 'fake', fake });
  });

  it('reads nested map keys and [*] list elements', () => {
    expect(parseMaskRule('profile.address.city=fake:city').path).toEqual([
      { kind: 'attribute', name: 'profile' },
      { kind: 'attribute', name: 'address' },
      { kind: 'attribute', name: 'city' },
    ]);
    expect(parseMaskRule('contacts[*].email=fake:email').path).toEqual([
      { kind: 'attribute', name: 'contacts' },
      { kind: 'every' },
      { kind: 'attribute', name: 'email' },
    ]);
    expect(parseMaskRule('grid[*][*]=redact').path).toEqual([
      { kind: 'attribute', name: 'grid' },
      { kind: 'every' },
      { kind: 'every' },
    ]);
    expect(parseMaskRule('A-z_09=keep').path).toEqual([{ kind: 'attribute', name: 'A-z_09' }]);
  });

  it('reads quoted names: dots, brackets, =, unicode, an escaped quote and backslash', () => {
    expect(parseMaskRule('"user.name".first=hash').path).toEqual([
      { kind: 'attribute', name: 'user.name' },
      { kind: 'attribute', name: 'first' },
    ]);
    expect(parseMaskRule('"straße"=redact').path).toEqual([{ kind: 'attribute', name: 'straße' }]);
    expect(parseMaskRule('"a[0]"=hash').path).toEqual([{ kind: 'attribute', name: 'a[0]' }]);
    expect(parseMaskRule('"say \\"hi\\""=hash').path).toEqual([{ kind: 'attribute', name: 'say "hi"' }]);
    expect(parseMaskRule('"back\\\\slash"=hash').path).toEqual([{ kind: 'attribute', name: 'back\\slash' }]);
    // Splits on the last '=' outside quotes: a quoted '=' belongs to the name.
    expect(parseMaskRule('"a=b".c=null')).toEqual({
      path: [
        { kind: 'attribute', name: 'a=b' },
        { kind: 'attribute', name: 'c' },
      ],
      action: { kind: 'null' },
      text: '"a=b".c=null',
    });
    expect(parseMaskRule('"x\\"=y"=keep').path).toEqual([{ kind: 'attribute', name: 'x"=y' }]);
  });

  it('trims spaces around the rule and its parts, keeping the text as written', () => {
    const rule = parseMaskRule('  email = fake:email ');
    expect(rule.text).toBe('email = fake:email');
    expect(rule.path).toEqual([{ kind: 'attribute', name: 'email' }]);
    expect(rule.action).toEqual({ kind: 'fake', fake: 'email' });
  });

  it('formats a path back, quoting only the names that need it', () => {
    for (const path of ['a', 'a.b[*].c', '"user.name".first', '"straße"', '"say \\"hi\\""[*]', 'x[*][*]']) {
      expect(formatMaskPath(parseMaskRule(`${path}=hash`).path)).toBe(path);
    }
    expect(formatMaskPath(parseMaskRule('"plain"=hash').path)).toBe('plain');
  });
});

describe('parseMaskRule: refusals name the rule and show the syntax', () => {
  it.each([
    ['email', 'expected PATH=RULE'],
    ['=hash', 'no attribute'],
    ['straße=hash', "'ß' at position 5"],
    ['a..b=hash', "an attribute name expected at '.'"],
    ['a.=hash', 'an attribute name expected at the end'],
    ['.a=hash', "an attribute name expected at '.'"],
    ['[*].a=hash', "an attribute name expected at '['"],
    ['a[0]=hash', "'[0]' at position 2 (only [*] is allowed)"],
    ['a b=hash', "' ' at position 2"],
    // Split on the last '=': 'a=b' is the path, and its '=' needs quotes.
    ['a=b=hash', "'=' at position 2"],
    ['"abc=hash', 'expected PATH=RULE'],
    ['"abc.d=hash', 'expected PATH=RULE, and a quote is not closed'],
    ['a="b', 'expected PATH=RULE, and a quote is not closed'],
    ['""=hash', 'an empty name'],
    ['"a\\n"=hash', "'\\n' (only"],
    ['"a"b=hash', "'b' at position 4"],
  ])('path %s', (text, problem) => {
    const error = refusal(() => parseMaskRule(text));
    expect(error.message).toContain(`--mask '${text.trim()}'`);
    expect(error.message).toContain(problem);
    expect(error.hint).toContain('PATH=RULE');
  });

  it('refuses an unknown rule, and an unknown fake kind listing the kinds', () => {
    const unknown = refusal(() => parseMaskRule('email=scramble', '--mask (2nd)'));
    expect(unknown.message).toBe("--mask (2nd) 'email=scramble': unknown rule 'scramble'.");
    expect(unknown.hint).toContain('hash, redact, remove, null, keep or fake:KIND');
    expect(refusal(() => parseMaskRule('email=')).message).toContain('the rule is missing');
    expect(refusal(() => parseMaskRule('email=HASH')).message).toContain("unknown rule 'HASH'");
    const kind = refusal(() => parseMaskRule('email=fake:ssn'));
    expect(kind.message).toBe("--mask 'email=fake:ssn': unknown fake kind 'ssn'.");
    expect(kind.hint).toBe(`Fake kinds: ${FAKE_KINDS.join(', ')}.`);
  });
});

describe('parseMaskFile', () => {
  it('reads rules for every table and per table name or glob', () => {
    const file = parseMaskFile(
      {
        rules: { email: 'fake:email', 'contacts[*].phone': 'redact' },
        tables: { users: { userId: 'hash' }, 'prod-*': { '"user.name"': 'fake:name' } },
      },
      'masks.json',
    );
    expect(file.rules.map((rule) => rule.text)).toEqual(['email=fake:email', 'contacts[*].phone=redact']);
    expect(file.rules[1]!.path).toEqual([
      { kind: 'attribute', name: 'contacts' },
      { kind: 'every' },
      { kind: 'attribute', name: 'phone' },
    ]);
    expect(file.tables.map((entry) => [entry.table, entry.rules.map((rule) => rule.text)])).toEqual([
      ['users', ['userId=hash']],
      ['prod-*', ['"user.name"=fake:name']],
    ]);
    expect(file.tables[1]!.rules[0]!.path).toEqual([{ kind: 'attribute', name: 'user.name' }]);
    // Either section alone is enough.
    expect(parseMaskFile({ tables: { t: { a: 'keep' } } }, 'm.json').rules).toEqual([]);
    expect(parseMaskFile({ rules: { a: 'keep' } }, 'm.json').tables).toEqual([]);
  });

  it('gives each table the common rules and those of every entry that matches it', () => {
    const file = parseMaskFile(
      {
        rules: { email: 'fake:email' },
        tables: {
          'prod-*': { phone: 'redact' },
          'prod-users': { userId: 'hash' },
          'p?od-orders': { total: 'keep' },
        },
      },
      'masks.json',
    );
    const texts = (table: string) => rulesForTable(file, table).map((rule) => rule.text);
    expect(texts('prod-users')).toEqual(['email=fake:email', 'phone=redact', 'userId=hash']);
    expect(texts('prod-orders')).toEqual(['email=fake:email', 'phone=redact', 'total=keep']);
    expect(texts('staging-users')).toEqual(['email=fake:email']);
    expect(texts('prod-users-archive')).toEqual(['email=fake:email', 'phone=redact']);
  });

  it.each([
    [[], 'masks.json: expected a JSON object with "rules" and/or "tables".'],
    ['rules', 'masks.json: expected a JSON object'],
    [null, 'masks.json: expected a JSON object'],
    [{ rule: { a: 'hash' } }, "masks.json: unknown key 'rule' at the top level."],
    [{ rules: ['a=hash'] }, 'masks.json: rules must be an object of PATH → RULE.'],
    [{ rules: { a: 1 } }, "masks.json: rules 'a=1': the rule must be a string."],
    [{ rules: { a: 'wipe' } }, "masks.json: rules 'a=wipe': unknown rule 'wipe'."],
    [{ rules: { 'a..b': 'hash' } }, "masks.json: rules 'a..b=hash': an attribute name expected"],
    [{ rules: { 'a."b': 'hash' } }, "masks.json: rules 'a.\"b=hash': an unclosed quote in the path 'a.\"b'."],
    [
      { rules: { a: 'hash', '"a"': 'redact' } },
      "masks.json: rules '\"a\"=redact': 'a=hash' names the same path.",
    ],
    [{ tables: ['users'] }, 'masks.json: "tables" must be an object'],
    [{ tables: { users: 'hash' } }, 'masks.json: tables."users" must be an object of PATH → RULE.'],
    [
      { tables: { users: { email: 'fake:mail' } } },
      'masks.json: tables."users" \'email=fake:mail\': unknown fake kind',
    ],
    [{ tables: { '': { a: 'hash' } } }, 'masks.json: tables: an empty table name.'],
    [{}, 'masks.json: the mask file holds no rule.'],
    [{ rules: {}, tables: { users: {} } }, 'masks.json: the mask file holds no rule.'],
  ])('refuses %j', (value, message) => {
    expect(refusal(() => parseMaskFile(value, 'masks.json')).message).toContain(message);
  });
});

describe('checkMaskRules', () => {
  it('lets through what keeps keys intact, and warns when items leave an index', () => {
    expect(
      checkMaskRules(
        rules(
          'userId=hash',
          'createdAt=keep',
          'email=fake:email',
          'age=redact',
          'name=null',
          'profile.city=remove',
          'contacts[*].email=fake:email',
        ),
        KEYS,
      ),
    ).toEqual({ warnings: [] });
    expect(checkMaskRules(rules('userId=fake:email', 'createdAt=hash', 'age=hash'), KEYS).warnings).toEqual(
      [],
    );
    expect(checkMaskRules(rules('email=remove'), KEYS).warnings).toEqual([
      "Mask rule 'email=remove': 'email' is a key of index byEmail: every masked item leaves byEmail.",
    ]);
  });

  it.each([
    ['userId=redact', "'userId' is the table's key: redact would give every item the same key; use hash."],
    [
      'userId=remove',
      "'userId' is the table's key: remove would leave every item without its key; use hash.",
    ],
    ['userId=null', "'userId' is the table's key: null would give every item a NULL key"],
    ['createdAt=fake:date', "'createdAt' is the table's key of type N: fake:date makes a string; use hash"],
    ['createdAt=redact', "'createdAt' is the table's key: redact would give every item the same key"],
    ['email=null', "'email' is a key of index byEmail (type S): null does not match the index key type"],
    ['age=fake:phone', "'age' is a key of index byAge of type N: fake:phone makes a string"],
    ['userId.part=hash', "'userId' is a key attribute (S); a rule on it must name it alone."],
    ['email[*]=hash', "'email' is a key attribute (S); a rule on it must name it alone."],
  ])('refuses %s', (text, message) => {
    const error = refusal(() => checkMaskRules(rules(text), KEYS));
    expect(error.message).toContain(`Mask rule '${text}': ${message}`);
    expect(error.hint).toBeTruthy();
  });

  it('refuses two rules on one path, and a rule inside another rule’s path', () => {
    const twice = refusal(() => checkMaskRules(rules('email=hash', '"email"=fake:email'), KEYS));
    expect(twice.message).toBe("Two mask rules on 'email': 'email=hash' and '\"email\"=fake:email'.");
    const nested = refusal(() => checkMaskRules(rules('profile.city=keep', 'profile=hash'), KEYS));
    expect(nested.message).toBe(
      "Mask rules 'profile=hash' and 'profile.city=keep' overlap: the rule on 'profile' covers everything inside it.",
    );
    expect(refusal(() => checkMaskRules(rules('tags[*]=hash', 'tags[*].a=keep'), KEYS)).message).toContain(
      'overlap',
    );
    // Different places are no overlap: a map key and a list's elements, or two siblings.
    expect(checkMaskRules(rules('a.b=hash', 'a[*].b=hash', 'a.c=hash', 'ab=hash'), KEYS).warnings).toEqual(
      [],
    );
  });

  it('refuses duplicates that come from a file’s common and per-table rules', () => {
    const file = parseMaskFile(
      { rules: { email: 'hash' }, tables: { 'prod-*': { email: 'fake:email' } } },
      'm.json',
    );
    expect(() => checkMaskRules(rulesForTable(file, 'staging'), KEYS)).not.toThrow();
    expect(refusal(() => checkMaskRules(rulesForTable(file, 'prod-users'), KEYS)).message).toContain(
      "Two mask rules on 'email'",
    );
  });
});

describe('describeMaskRules', () => {
  it('gives one line per rule, saying what a rule on a key means', () => {
    const keys: KeyAttributes = {
      table: [{ name: 'userId', type: 'S' }],
      indexes: [
        { name: 'email', type: 'S', index: 'byEmail' },
        { name: 'userId', type: 'S', index: 'byUser' },
        { name: 'phone', type: 'S', index: 'byPhone' },
        { name: 'phone', type: 'S', index: 'byPhone2' },
      ],
    };
    expect(
      describeMaskRules(
        rules('userId=hash', 'email=fake:email', 'phone=remove', 'contacts[*]."e.mail"=redact', 'name=keep'),
        keys,
      ),
    ).toEqual([
      'userId: hash (table key: injective, keeps type S; key of index byUser)',
      'email: fake:email (key of index byEmail)',
      'phone: remove (key of indexes byPhone, byPhone2: masked items leave it)',
      'contacts[*]."e.mail": redact',
      'name: keep',
    ]);
    expect(describeMaskRules(rules('userId=fake:name', 'createdAt=keep'), KEYS)).toEqual([
      'userId: fake:name (table key: a unique suffix keeps it injective)',
      'createdAt: keep (table key: unchanged)',
    ]);
  });
});
