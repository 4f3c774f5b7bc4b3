import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretFingerprint } from '../../src/engine/copy/mask-keys.js';
import { createMasker, type Masker } from '../../src/engine/copy/masker.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/model/item.js';
import { attachItemJson, itemJsonOf } from '../../src/model/item-json.js';
import { parseMaskRule } from '../../src/plan/mask-rules.js';

const SECRET = 'correct horse battery staple';
/** What @faker-js/faker 10.6.0 gives under SECRET (a faker upgrade that changes them changes every fake). */
const GOLDEN_EMAIL = 'Wilfredo_Brakus49@gmail.com';
const GOLDEN_NAME = 'Mireya Daniel';

function masker(texts: string[], options: { secret?: string; keys?: string[] } = {}): Masker {
  return createMasker(
    texts.map((text) => parseMaskRule(text)),
    options.secret ?? SECRET,
    options.keys ?? [],
  );
}

/** One value through one rule `a=RULE`: what attribute `a` becomes. */
function maskOne(rule: string, value: AttributeValue, options: { secret?: string; keys?: string[] } = {}) {
  return masker([`a=${rule}`], options).mask({ a: value }).a;
}

/** Freezes every object and array reachable from `value` (typed arrays cannot be frozen: left as they are). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const bytes = (...values: number[]) => new Uint8Array(values);
const base64 = (value: Uint8Array) => Buffer.from(value).toString('base64');

describe('masker: hash', () => {
  it('is deterministic under one secret, in any masker, table or attribute, and differs under another', () => {
    const users = masker(['userId=hash']).mask({ userId: { S: 'u-1' }, name: { S: 'Ann' } });
    const orders = masker(['customer=hash', 'orderId=keep']).mask({
      customer: { S: 'u-1' },
      orderId: { N: '7' },
    });
    expect(users.userId).toEqual(orders.customer);
    expect(users.userId).not.toEqual({ S: 'u-1' });
    expect(maskOne('hash', { S: 'u-1' }, { secret: 'another secret' })).not.toEqual(users.userId);
    expect(maskOne('hash', { S: 'u-2' })).not.toEqual(users.userId);
    expect(maskOne('hash', { N: '42' })).toEqual(maskOne('hash', { N: '42' }));
    expect(maskOne('hash', { N: '42' }, { secret: 'x' })).not.toEqual(maskOne('hash', { N: '42' }));
  });

  it('keeps S as 22 base64url characters, and S and N of the same text apart', () => {
    const masked = maskOne('hash', { S: 'alice@example.com' });
    expect(masked).toEqual({ S: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(maskOne('hash', { S: 'ünïcode ✓' })!.S).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(maskOne('hash', { N: '12' })!.N).not.toBe(maskOne('hash', { S: '12' })!.S);
  });

  it('keeps N as a positive integer of at most 38 digits; equal numbers hash equal', () => {
    const values = ['0', '1', '-1', '3.14159', '1e125', '99999999999999999999999999999999999999'];
    const out = values.map((n) => maskOne('hash', { N: n })!.N!);
    for (const n of out) expect(n).toMatch(/^[1-9]\d{0,37}$/);
    expect(new Set(out).size).toBe(values.length);
    expect(maskOne('hash', { N: '1.0' })).toEqual(maskOne('hash', { N: '1' }));
    expect(maskOne('hash', { N: '1E+3' })).toEqual(maskOne('hash', { N: '1000' }));
    expect(maskOne('hash', { N: '-0' })).toEqual(maskOne('hash', { N: '0' }));
    expect(maskOne('hash', { N: '1.5' })).not.toEqual(maskOne('hash', { N: '15' }));
  });

  it('keeps B as 32 bytes, in the form it came: bytes or base64 text of the same bytes', () => {
    const fromBytes = maskOne('hash', { B: bytes(1, 2, 3) })!.B!;
    const fromText = maskOne('hash', { B: base64(bytes(1, 2, 3)) })!.B!;
    expect(fromBytes).toBeInstanceOf(Uint8Array);
    expect(typeof fromText).toBe('string');
    expect((fromBytes as Uint8Array).byteLength).toBe(32);
    expect(base64(fromBytes as Uint8Array)).toBe(fromText);
    expect(maskOne('hash', { B: bytes(1, 2, 4) })!.B).not.toEqual(fromBytes);
  });

  it('masks each set member and keeps sets distinct, also when members mask alike', () => {
    const ss = maskOne('hash', { SS: ['a', 'b', 'c'] })!.SS!;
    expect(ss).toEqual(['a', 'b', 'c'].map((s) => maskOne('hash', { S: s })!.S));
    // '1' and '1.0' are one number: their first masks collide, so the second is derived again.
    const ns = maskOne('hash', { NS: ['1', '1.0', '2'] })!.NS!;
    expect(ns[0]).toBe(maskOne('hash', { N: '1' })!.N);
    expect(new Set(ns).size).toBe(3);
    for (const n of ns) expect(n).toMatch(/^[1-9]\d{0,37}$/);
    const bs = maskOne('hash', { BS: [bytes(9), base64(bytes(9)), bytes(8)] })!.BS!;
    expect(new Set(bs.map((b) => (typeof b === 'string' ? b : base64(b)))).size).toBe(3);
    expect(bs[0]).toEqual(maskOne('hash', { B: bytes(9) })!.B);
  });

  it('hashes every scalar inside a map or list it reaches; BOOL, NULL and empty values stay', () => {
    const value: AttributeValue = {
      M: {
        name: { S: 'Ann' },
        age: { N: '41' },
        ok: { BOOL: true },
        none: { NULL: true },
        empty: { S: '' },
        tags: { L: [{ S: 'x' }, { M: { deep: { S: 'y' } } }] },
      },
    };
    expect(maskOne('hash', value)).toEqual({
      M: {
        name: maskOne('hash', { S: 'Ann' }),
        age: maskOne('hash', { N: '41' }),
        ok: { BOOL: true },
        none: { NULL: true },
        empty: { S: '' },
        tags: { L: [maskOne('hash', { S: 'x' }), { M: { deep: maskOne('hash', { S: 'y' }) } }] },
      },
    });
  });
});

describe('masker: the scheme is pinned (changing it changes every mask users already made)', () => {
  /** The documented scheme, computed apart from the masker: HKDF sub-key, HMAC of type byte, 0, value. */
  function reference(tag: string, value: string | Uint8Array): Buffer {
    const key = Buffer.from(hkdfSync('sha256', SECRET, 'ddbcopy/mask/v1', 'hash', 32));
    return createHmac('sha256', key)
      .update(Buffer.from([tag.charCodeAt(0), 0]))
      .update(value)
      .digest();
  }

  it('hashes S, N and B exactly as documented', () => {
    expect(maskOne('hash', { S: 'alice' })!.S).toBe(reference('S', 'alice').toString('base64url', 0, 16));
    const n = reference('N', '1.5');
    const expected = 1n + (BigInt(`0x${n.subarray(0, 20).toString('hex')}`) % (10n ** 38n - 1n));
    expect(maskOne('hash', { N: '1.50' })!.N).toBe(expected.toString());
    expect(maskOne('hash', { B: 'AQI=' })!.B).toBe(reference('B', bytes(1, 2)).toString('base64'));
  });

  it('gives the same fakes as the pinned faker did', () => {
    expect(maskOne('fake:email', { S: 'alice@example.com' })!.S).toBe(GOLDEN_EMAIL);
    expect(maskOne('fake:name', { S: 'Alice Smith' })!.S).toBe(GOLDEN_NAME);
  });
});

describe('masker: redact, remove, null, keep', () => {
  it('redacts to a constant of the same type', () => {
    expect(maskOne('redact', { S: 'Ann' })).toEqual({ S: 'REDACTED' });
    expect(maskOne('redact', { N: '41.5' })).toEqual({ N: '0' });
    expect(maskOne('redact', { B: bytes(1, 2) })).toEqual({ B: bytes(0) });
    expect(maskOne('redact', { B: 'AQI=' })).toEqual({ B: 'AA==' });
    expect(maskOne('redact', { SS: ['a', 'b'] })).toEqual({ SS: ['REDACTED'] });
    expect(maskOne('redact', { NS: ['1', '2'] })).toEqual({ NS: ['0'] });
    expect(maskOne('redact', { BS: [bytes(1), bytes(2)] })).toEqual({ BS: [bytes(0)] });
    expect(maskOne('redact', { L: [{ S: 'x' }, { M: { n: { N: '5' }, b: { BOOL: true } } }] })).toEqual({
      L: [{ S: 'REDACTED' }, { M: { n: { N: '0' }, b: { BOOL: true } } }],
    });
  });

  it('removes an attribute, a nested map key, or a key of each list element', () => {
    const item: Item = {
      id: { S: '1' },
      secret: { S: 's' },
      profile: { M: { ssn: { S: '123' }, city: { S: 'Oslo' } } },
      contacts: { L: [{ M: { phone: { S: '555' }, kind: { S: 'home' } } }, { M: { kind: { S: 'work' } } }] },
    };
    expect(masker(['secret=remove', 'profile.ssn=remove', 'contacts[*].phone=remove']).mask(item)).toEqual({
      id: { S: '1' },
      profile: { M: { city: { S: 'Oslo' } } },
      contacts: { L: [{ M: { kind: { S: 'home' } } }, { M: { kind: { S: 'work' } } }] },
    });
    expect(masker(['tags[*]=remove']).mask({ tags: { L: [{ S: 'a' }, { S: 'b' }] } })).toEqual({
      tags: { L: [] },
    });
  });

  it('replaces with NULL, and keep changes nothing', () => {
    expect(masker(['a=null', 'm.b=null']).mask({ a: { SS: ['x'] }, m: { M: { b: { N: '1' } } } })).toEqual({
      a: { NULL: true },
      m: { M: { b: { NULL: true } } },
    });
    const item: Item = { a: { S: 'x' } };
    const keep = masker(['a=keep']);
    expect(keep.mask(item)).toBe(item);
    expect(keep.counts()).toEqual({ 'a=keep': 0 });
  });
});

describe('masker: paths', () => {
  it('follows nested maps, quoted names and [*] into lists; leaves other shapes alone', () => {
    const m = masker([
      '"user.name".first=redact',
      'contacts[*].email=hash',
      '"straße"=redact',
      'grid[*][*]=redact',
    ]);
    const item: Item = {
      'user.name': { M: { first: { S: 'Ann' }, last: { S: 'Lee' } } },
      user: { M: { name: { M: { first: { S: 'not this one' } } } } },
      contacts: { L: [{ M: { email: { S: 'a@x' } } }, { S: 'not a map' }, { M: { other: { S: 'b@x' } } }] },
      straße: { S: 'Hauptstraße 1' },
      grid: { L: [{ L: [{ N: '1' }] }, { N: '2' }] },
    };
    expect(m.mask(item)).toEqual({
      'user.name': { M: { first: { S: 'REDACTED' }, last: { S: 'Lee' } } },
      user: item.user,
      contacts: {
        L: [{ M: { email: maskOne('hash', { S: 'a@x' }) } }, { S: 'not a map' }, item.contacts!.L![2]],
      },
      straße: { S: 'REDACTED' },
      grid: { L: [{ L: [{ N: '0' }] }, { N: '2' }] },
    });
    // A path through a value of another type, or to a missing attribute, matches nothing.
    const other: Item = { 'user.name': { S: 'flat' }, contacts: { M: { email: { S: 'a@x' } } } };
    expect(m.mask(other)).toBe(other);
  });

  it('keeps a map key named __proto__ a plain key when masking everything inside the map', () => {
    const item = JSON.parse('{"m":{"M":{"__proto__":{"S":"x"},"b":{"S":"y"}}}}') as Item;
    const out = masker(['m=redact']).mask(item).m!.M!;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')!.value).toEqual({ S: 'REDACTED' });
  });

  it('treats attribute names like __proto__ and constructor as plain names', () => {
    const m = masker(['__proto__=redact', 'constructor=remove', 'm.toString=redact']);
    const item = JSON.parse('{"__proto__":{"S":"x"},"m":{"M":{"toString":{"S":"y"}}}}') as Item;
    const out = m.mask(item);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'm']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')!.value).toEqual({ S: 'REDACTED' });
    expect(out.m).toEqual({ M: { toString: { S: 'REDACTED' } } });
    const plain: Item = { a: { S: 'x' } };
    expect(masker(['constructor=hash', 'toString=remove']).mask(plain)).toBe(plain);
  });
});

describe('masker: never mutates, and returns the same item when nothing matched', () => {
  it('builds a new item and leaves the frozen input as it was', () => {
    const input: Item = {
      id: { S: 'k' },
      email: { S: 'a@x' },
      blob: { B: bytes(1, 2, 3) },
      profile: { M: { ssn: { S: '1' }, tags: { SS: ['p', 'q'] }, keepMe: { S: 'same' } } },
      contacts: { L: [{ M: { phone: { S: '555' } } }] },
      gone: { S: 'bye' },
    };
    attachItemJson(input, '{"stale":true}', 14);
    const before = structuredClone(input);
    deepFreeze(input);
    const m = masker([
      'email=fake:email',
      'blob=hash',
      'profile.ssn=redact',
      'profile.tags=hash',
      'contacts[*].phone=null',
      'gone=remove',
    ]);
    const out = m.mask(input);
    expect(out).not.toBe(input);
    expect(input).toEqual(before);
    expect(input.blob!.B).toEqual(bytes(1, 2, 3));
    expect(itemJsonOf(out)).toBeUndefined();
    expect(itemJsonOf(input)?.text).toBe('{"stale":true}');
    // Untouched values are shared, not copied.
    expect(out.id).toBe(input.id);
    expect(out.profile!.M!.keepMe).toBe(input.profile!.M!.keepMe);
    expect(out.gone).toBeUndefined();
  });

  it('returns the very same item (and its JSON text) when no rule matched anything', () => {
    const m = masker([
      'email=hash',
      'profile.ssn=redact',
      'contacts[*].phone=remove',
      'flag=hash',
      'e=fake:name',
    ]);
    const item: Item = {
      id: { S: '1' },
      profile: { M: { city: { S: 'Oslo' } } },
      contacts: { L: [{ M: { kind: { S: 'home' } } }] },
      flag: { BOOL: true },
      e: { S: '' },
    };
    attachItemJson(item, '{}', 2);
    deepFreeze(item);
    const out = m.mask(item);
    expect(out).toBe(item);
    expect(itemJsonOf(out)?.text).toBe('{}');
    expect(m.counts()).toEqual({
      'email=hash': 0,
      'profile.ssn=redact': 0,
      'contacts[*].phone=remove': 0,
      'flag=hash': 0,
      'e=fake:name': 0,
    });
  });
});

describe('masker: fake', () => {
  const kinds: [string, RegExp][] = [
    ['email', /^[^@\s]+@[^@\s]+\.[a-z]+$/i],
    ['name', /^\S+( \S+)+$/],
    ['first-name', /^[A-Z][\p{L}' -]+$/u],
    ['last-name', /^[A-Z][\p{L}' -]+$/u],
    ['phone', /\d{3}/],
    ['address', /^\d+ \S/],
    ['city', /^[A-Z]/],
    ['company', /\S/],
    ['iban', /^[A-Z]{2}\d{2}[A-Z0-9]{8,}$/],
    ['ipv4', /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/],
    ['uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
    ['date', /^20(1[5-9]|2[0-4])-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/],
  ];

  it.each(kinds)('fake:%s gives a plausible string, the same for the same value', (kind, pattern) => {
    const values = ['alice@example.com', 'bob', '+47 555 0100', 'x'];
    const out = values.map((value) => maskOne(`fake:${kind}`, { S: value })!.S!);
    for (const fake of out) expect(fake).toMatch(pattern);
    expect(new Set(out).size).toBeGreaterThan(1);
    expect(maskOne(`fake:${kind}`, { S: 'alice@example.com' })!.S).toBe(out[0]);
    expect(maskOne(`fake:${kind}`, { S: 'alice@example.com' }, { secret: 'other' })!.S).not.toBe(out[0]);
  });

  it('depends on the value alone, not on what was faked before it', () => {
    const alone = masker(['e=fake:email']).mask({ e: { S: 'target' } }).e;
    const m = masker(['e=fake:email', 'n=fake:name', 'd=fake:date']);
    m.mask({ e: { S: 'first' }, n: { S: 'x' }, d: { S: 'y' } });
    expect(m.mask({ e: { S: 'target' }, n: { S: 'z' } }).e).toEqual(alone);
  });

  it('makes a key attribute’s fakes unique: 10,000 distinct values give 10,000 distinct fakes', () => {
    for (const kind of ['first-name', 'email']) {
      const key = masker([`pk=fake:${kind}`], { keys: ['pk'] });
      const plain = masker([`pk=fake:${kind}`]);
      const keyed = new Set<string>();
      const unkeyed = new Set<string>();
      for (let i = 0; i < 10_000; i++) {
        keyed.add(key.mask({ pk: { S: `user-${i}` } }).pk!.S!);
        unkeyed.add(plain.mask({ pk: { S: `user-${i}` } }).pk!.S!);
      }
      expect(keyed.size).toBe(10_000);
      // Without the suffix faker's values repeat: the suffix is what makes a key unique.
      expect(unkeyed.size).toBeLessThan(10_000);
    }
    const email = masker(['pk=fake:email'], { keys: ['pk'] }).mask({ pk: { S: 'a@b.c' } }).pk!.S!;
    expect(email).toMatch(/^[^@+]+\+[a-z2-7]{26}@[^@]+$/);
    const name = masker(['pk=fake:name'], { keys: ['pk'] }).mask({ pk: { S: 'a' } }).pk!.S!;
    expect(name).toMatch(/-[a-z2-7]{26}$/);
    // The suffix goes only on a key: the same rule elsewhere leaves it off.
    expect(masker(['pk=fake:name']).mask({ pk: { S: 'a' } }).pk!.S).toBe(name.slice(0, -27));
  });

  it('hashes an N or B value instead (the type is kept), and fakes each member of a string set', () => {
    expect(maskOne('fake:email', { N: '12' })).toEqual(maskOne('hash', { N: '12' }));
    expect(maskOne('fake:email', { B: bytes(7) })).toEqual(maskOne('hash', { B: bytes(7) }));
    const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
    const ss = maskOne('fake:first-name', { SS: members })!.SS!;
    expect(ss).toHaveLength(200);
    expect(new Set(ss).size).toBe(200);
    expect(ss[0]).toBe(maskOne('fake:first-name', { S: 'm0' })!.S);
  });
});

describe('masker: counts', () => {
  it('counts per rule text the values each rule changed, each set member once', () => {
    const m = masker(['email=hash', 'tags=redact', 'profile=hash', 'gone=remove', 'n=null', 'k=keep']);
    m.mask({
      email: { S: 'a' },
      tags: { SS: ['x', 'y', 'z'] },
      profile: { M: { a: { S: '1' }, b: { N: '2' }, c: { BOOL: true }, d: { NS: ['1', '2'] } } },
      gone: { S: 'g' },
      n: { S: 'n' },
      k: { S: 'k' },
    });
    m.mask({ email: { S: 'b' }, n: { NULL: true } });
    expect(m.counts()).toEqual({
      'email=hash': 2,
      'tags=redact': 3,
      'profile=hash': 4,
      'gone=remove': 1,
      'n=null': 1,
      'k=keep': 0,
    });
  });
});

describe('masker: setup', () => {
  it('refuses an empty secret and two rules on one path or inside one another', () => {
    expect(() => masker(['a=hash'], { secret: '' })).toThrow(InvalidOptionError);
    expect(() => masker(['a=hash', 'a=redact'])).toThrow(InvalidOptionError);
    expect(() => masker(['a=hash', 'a.b=redact'])).toThrow(InvalidOptionError);
    expect(() => masker(['a.b=hash', 'a=redact'])).toThrow(InvalidOptionError);
    expect(() => masker(['a.b=hash', 'a[*].b=redact', 'c=keep'])).not.toThrow();
  });

  it('fingerprints a secret: 16 hex characters, stable, different per secret, not the secret', () => {
    const print = secretFingerprint(SECRET);
    expect(print).toMatch(/^[0-9a-f]{16}$/);
    expect(secretFingerprint(SECRET)).toBe(print);
    expect(secretFingerprint(`${SECRET}!`)).not.toBe(print);
    expect(print).not.toContain(Buffer.from(SECRET).toString('hex').slice(0, 8));
    // Not the hash key either: a fingerprint in a checkpoint must not reveal masks.
    expect(maskOne('hash', { S: 'ddbcopy/mask/secret-fingerprint/v1' })!.S).not.toContain(print);
  });
});
