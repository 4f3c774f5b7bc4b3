/**
 * Masks items on their way to the target: the rules parsed by `plan/mask-rules.ts`, applied to
 * low-level attribute values. Pure and deterministic: the same value and secret give the same mask
 * in every table, run and thread, whatever attribute holds it, so a masked `userId` in one table
 * still joins the masked `userId` in another.
 *
 * Keys: one secret; per use ('hash', 'fake') a sub-key derived with HKDF-SHA-256. A value is
 * HMAC-SHA-256'd under the sub-key in an encoding that includes its type: S its UTF-8 text, N its
 * normalized number text (so '1.0' and '1' mask alike), B its raw bytes (bytes or base64 text alike).
 *
 * What each rule does (`keep` changes nothing and counts nothing):
 * - hash: keeps the type. S → 22 base64url characters (128 bits); N → a positive integer of at most
 *   38 digits (≈126 bits); B → the 32 HMAC bytes (base64 text in, text out; bytes in, bytes out).
 * - redact: a constant of the same type: S 'REDACTED', N '0', B one zero byte, a set of one of them.
 * - fake:KIND: a realistic string from faker, drawn from the value's HMAC. On a table key attribute
 *   a 26-character base32 suffix (128 bits of the HMAC) makes it unique: `name+suffix@host` for an
 *   email, `value-suffix` otherwise; `uuid` needs none (it is built from 122 bits of the HMAC). On an
 *   N or B value fake hashes instead, so the type is kept.
 * - remove: the attribute, map key or list element is deleted. null: it becomes {NULL: true}.
 * A map or list reached by hash, redact or fake has each scalar inside masked (map keys are kept).
 * Sets stay sets of distinct members: a member that collides with an earlier one is derived again
 * with a counter. BOOL and NULL are left as they are by hash, redact and fake; so are empty S and B
 * (empty carries nothing and stays empty) — none of them counts.
 *
 * Fake values are stable only under the exact faker version installed (10.6.0, pinned).
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { base, en, Faker, type Randomizer } from '@faker-js/faker';
import { InvalidOptionError } from '../../errors.js';
import { binaryBytes } from '../../model/binary.js';
import { normalizeNumber } from '../../model/canonical-number.js';
import type { AttributeMap, AttributeValue, Binary, Item } from '../../model/item.js';
import type { FakeKind, MaskAction, MaskRule } from '../../model/mask-rule.js';
import { subKey } from './mask-keys.js';

export interface Masker {
  /**
   * The item masked: the same object when no rule changed anything in it (its kept JSON text still
   * describes it), else a new item sharing every untouched value with the input. Never mutates the
   * input or anything reachable from it.
   */
  mask(item: Item): Item;
  /** Per rule text, how many values it has changed so far (each member of a set counts). */
  counts(): Record<string, number>;
}

/** HKDF salt: fixes the derivation to this tool and this version of the masking scheme. */
/** Fake dates lie in the ten years before this date, never before `Date.now()`: determinism. */
const REFERENCE_DATE = new Date('2025-01-01T00:00:00.000Z');
const FAKE_DATE_YEARS = 10;
/** How often a set member whose fake collides with another member is drawn again before a suffix. */
const FAKE_SET_ROUNDS = 16;
/** 10^38 − 1: a hashed N is 1 + (HMAC mod this), so 1 to 38 digits, never 0 and never empty. */
const N_MODULUS = 10n ** 38n - 1n;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const REDACTED_S = 'REDACTED';
const REDACTED_N = '0';
const REDACTED_B_TEXT = 'AA==';
const NULL_VALUE: AttributeValue = { NULL: true };

/** The type byte that starts a value's encoding; a second byte says whether a round counter follows. */
const TAG_S = 0x53;
const TAG_N = 0x4e;
const TAG_B = 0x42;
const PLAIN_HEADER: Record<number, Buffer> = {
  [TAG_S]: Buffer.from([TAG_S, 0]),
  [TAG_N]: Buffer.from([TAG_N, 0]),
  [TAG_B]: Buffer.from([TAG_B, 0]),
};

const REMOVED = Symbol('removed');
type Visited = AttributeValue | typeof REMOVED;

/** A rule ready to apply: its action, and whether its fake needs a uniqueness suffix (a key). */
interface Compiled {
  index: number;
  action: MaskAction;
  suffix: boolean;
}

/** Rules as a tree of paths, so that one pass over an item visits each masked place once. */
interface PathNode {
  rule?: Compiled;
  fields?: Map<string, PathNode>;
  every?: PathNode;
}

/**
 * A masker for `rules` (checked by `checkMaskRules`) under `secret`. `keyAttributes` names the
 * table's key attributes: a fake on one of them gets a uniqueness suffix. Throws InvalidOptionError
 * for an empty secret, and for two rules on one path or on paths inside one another.
 */
export function createMasker(
  rules: readonly MaskRule[],
  secret: string,
  keyAttributes: readonly string[],
): Masker {
  if (secret === '') {
    throw new InvalidOptionError('The masking secret is empty.', {
      hint: 'Give a long random secret (e.g. 32 random bytes as hex) and keep it: the same secret gives the same masks.',
    });
  }
  return new ItemMasker(rules, secret, keyAttributes);
}

class ItemMasker implements Masker {
  private readonly top: [string, PathNode][];
  private readonly texts: string[];
  private readonly changed: number[];
  private readonly hashKey: KeyObject;
  private readonly fakeKey: KeyObject;

  constructor(rules: readonly MaskRule[], secret: string, keyAttributes: readonly string[]) {
    this.hashKey = subKey(secret, 'hash');
    this.fakeKey = subKey(secret, 'fake');
    this.texts = rules.map((rule) => rule.text);
    this.changed = rules.map(() => 0);
    const top = new Map<string, PathNode>();
    rules.forEach((rule, index) => {
      const [first, ...rest] = rule.path;
      if (first?.kind !== 'attribute') {
        throw new InvalidOptionError(`Mask rule '${rule.text}': a path starts with an attribute name.`);
      }
      const suffix = rest.length === 0 && keyAttributes.includes(first.name);
      let node = top.get(first.name) ?? {};
      top.set(first.name, node);
      for (const step of rest) {
        if (node.rule) throw overlap(rule);
        if (step.kind === 'every') node = node.every ??= {};
        else {
          node.fields ??= new Map();
          const child = node.fields.get(step.name) ?? {};
          node.fields.set(step.name, child);
          node = child;
        }
      }
      if (node.rule || node.fields || node.every) throw overlap(rule);
      node.rule = { index, action: rule.action, suffix };
    });
    this.top = [...top];
  }

  mask(item: Item): Item {
    let out: Item | undefined;
    for (const [name, node] of this.top) {
      if (!Object.hasOwn(item, name)) continue;
      const value = item[name]!;
      const result = this.visit(node, value);
      if (result === value) continue;
      out ??= { ...item };
      if (result === REMOVED) delete out[name];
      else setOwn(out, name, result);
    }
    return out ?? item;
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    this.texts.forEach((text, i) => {
      counts[text] = (counts[text] ?? 0) + this.changed[i]!;
    });
    return counts;
  }

  /** The value at `node` with the rules below it applied: the same object when nothing changed. */
  private visit(node: PathNode, value: AttributeValue): Visited {
    if (node.rule) return this.apply(node.rule, value);
    if (node.fields && value.M !== undefined) {
      const map = value.M;
      let out: AttributeMap | undefined;
      for (const [key, child] of node.fields) {
        if (!Object.hasOwn(map, key)) continue;
        const before = map[key]!;
        const result = this.visit(child, before);
        if (result === before) continue;
        out ??= { ...map };
        if (result === REMOVED) delete out[key];
        else setOwn(out, key, result);
      }
      return out ? { M: out } : value;
    }
    if (node.every && value.L !== undefined) {
      const list = value.L;
      let out: Visited[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const result = this.visit(node.every, list[i]!);
        if (result === list[i]) continue;
        out ??= list.slice();
        out[i] = result;
      }
      if (!out) return value;
      return { L: out.filter((entry): entry is AttributeValue => entry !== REMOVED) };
    }
    return value;
  }

  private apply(rule: Compiled, value: AttributeValue): Visited {
    switch (rule.action.kind) {
      case 'keep':
        return value;
      case 'remove':
        this.changed[rule.index]! += 1;
        return REMOVED;
      case 'null':
        if (value.NULL === true) return value;
        this.changed[rule.index]! += 1;
        return NULL_VALUE;
      default:
        return this.transform(rule, value);
    }
  }

  /** hash, redact or fake of one value: scalars and set members masked, maps and lists walked. */
  private transform(rule: Compiled, value: AttributeValue): AttributeValue {
    const kind = rule.action.kind;
    if (value.S !== undefined) {
      if (value.S === '') return value;
      this.changed[rule.index]! += 1;
      if (kind === 'redact') return { S: REDACTED_S };
      if (rule.action.kind === 'fake') return { S: this.fakeS(value.S, rule.action.fake, rule.suffix, 0) };
      return { S: this.hashS(value.S, 0) };
    }
    if (value.N !== undefined) {
      this.changed[rule.index]! += 1;
      return { N: kind === 'redact' ? REDACTED_N : this.hashN(value.N, 0) };
    }
    if (value.B !== undefined) {
      if (isEmptyBinary(value.B)) return value;
      this.changed[rule.index]! += 1;
      return { B: kind === 'redact' ? redactedBinary(value.B) : this.hashB(value.B, 0) };
    }
    if (value.SS !== undefined) {
      this.changed[rule.index]! += value.SS.length;
      if (kind === 'redact') return { SS: [REDACTED_S] };
      const action = rule.action;
      if (action.kind === 'fake')
        return { SS: this.distinct(value.SS, (s, r) => this.fakeMember(s, action.fake, r)) };
      return { SS: this.distinct(value.SS, (s, round) => this.hashS(s, round)) };
    }
    if (value.NS !== undefined) {
      this.changed[rule.index]! += value.NS.length;
      if (kind === 'redact') return { NS: [REDACTED_N] };
      return { NS: this.distinct(value.NS, (n, round) => this.hashN(n, round)) };
    }
    if (value.BS !== undefined) {
      this.changed[rule.index]! += value.BS.length;
      if (kind === 'redact') return { BS: value.BS.length > 0 ? [redactedBinary(value.BS[0]!)] : [] };
      return { BS: this.distinctBinary(value.BS) };
    }
    if (value.M !== undefined) {
      const map = value.M;
      const out: AttributeMap = {};
      let changed = false;
      for (const key in map) {
        if (!Object.hasOwn(map, key)) continue;
        const before = map[key]!;
        const after = this.transform(rule, before);
        if (after !== before) changed = true;
        setOwn(out, key, after);
      }
      return changed ? { M: out } : value;
    }
    if (value.L !== undefined) {
      let out: AttributeValue[] | undefined;
      for (let i = 0; i < value.L.length; i++) {
        const before = value.L[i]!;
        const after = this.transform(rule, before);
        if (after === before) continue;
        out ??= value.L.slice();
        out[i] = after;
      }
      return out ? { L: out } : value;
    }
    // BOOL, NULL and members newer than this tool: nothing to mask.
    return value;
  }

  /**
   * Masks each member of a string or number set, keeping them distinct: a member whose mask is
   * already taken is derived again with round 1, 2, ... Empty strings stay empty (a set holds at
   * most one, and no mask is empty).
   */
  private distinct(members: readonly string[], mask: (member: string, round: number) => string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const member of members) {
      let masked = member === '' ? '' : mask(member, 0);
      for (let round = 1; seen.has(masked); round++) masked = mask(member, round);
      seen.add(masked);
      out.push(masked);
    }
    return out;
  }

  private distinctBinary(members: readonly Binary[]): Binary[] {
    const out: Binary[] = [];
    const seen = new Set<string>();
    for (const member of members) {
      if (isEmptyBinary(member)) {
        out.push(member);
        seen.add('');
        continue;
      }
      let masked = this.hashB(member, 0);
      for (let round = 1; seen.has(binaryKey(masked)); round++) masked = this.hashB(member, round);
      seen.add(binaryKey(masked));
      out.push(masked);
    }
    return out;
  }

  private hashS(text: string, round: number): string {
    return hmac(this.hashKey, TAG_S, round, text).toString('base64url', 0, 16);
  }

  private hashN(text: string, round: number): string {
    const digest = hmac(this.hashKey, TAG_N, round, normalizeNumber(text));
    const value =
      (digest.readBigUInt64BE(0) << 96n) |
      (digest.readBigUInt64BE(8) << 32n) |
      BigInt(digest.readUInt32BE(16));
    return (1n + (value % N_MODULUS)).toString();
  }

  private hashB(value: Binary, round: number): Binary {
    const digest = hmac(this.hashKey, TAG_B, round, binaryBytes(value));
    return typeof value === 'string' ? digest.toString('base64') : Uint8Array.from(digest);
  }

  private fakeS(text: string, kind: FakeKind, suffix: boolean, round: number): string {
    const digest = hmac(this.fakeKey, TAG_S, round, text);
    if (kind === 'uuid') return uuidFrom(digest);
    const fake = drawFake(kind, digest);
    return suffix ? withSuffix(fake, kind, digest) : fake;
  }

  /** A set member's fake: drawn again on a collision, and after FAKE_SET_ROUNDS made unique by a suffix. */
  private fakeMember(text: string, kind: FakeKind, round: number): string {
    return this.fakeS(text, kind, round >= FAKE_SET_ROUNDS, round);
  }
}

function overlap(rule: MaskRule): InvalidOptionError {
  return new InvalidOptionError(`Mask rule '${rule.text}' names a path another rule already covers.`, {
    hint: 'Keep one rule per path; a rule on a map or list covers everything inside it.',
  });
}

/** HMAC-SHA-256 of the value's encoding: type byte, round flag (and counter), then the value. */
function hmac(key: KeyObject, tag: number, round: number, data: string | Uint8Array): Buffer {
  const mac = createHmac('sha256', key);
  if (round === 0) mac.update(PLAIN_HEADER[tag]!);
  else {
    const header = Buffer.alloc(6);
    header[0] = tag;
    header[1] = 1;
    header.writeUInt32BE(round, 2);
    mac.update(header);
  }
  return mac.update(data).digest();
}

/** Sets an own property, also one named `__proto__` (an attribute name like any other). */
function setOwn(target: AttributeMap, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

function isEmptyBinary(value: Binary): boolean {
  return typeof value === 'string' ? value === '' : value.byteLength === 0;
}

function redactedBinary(form: Binary): Binary {
  return typeof form === 'string' ? REDACTED_B_TEXT : new Uint8Array(1);
}

function binaryKey(value: Binary): string {
  return typeof value === 'string'
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/** A version-4 UUID from the first 16 bytes of the HMAC (122 of them random). */
function uuidFrom(digest: Buffer): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * 26 base32 characters (128 bits) from HMAC bytes 16–31, which the faker seed (bytes 0–15) does not
 * use: at a billion keys, the chance of two suffixes alike is about 10^-21 (and a collision would still
 * be caught, not written over).
 */
function suffixOf(digest: Buffer): string {
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (let i = 16; i < 32; i++) {
    buffer = ((buffer << 8) | digest[i]!) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
  }
  // The last 3 bits, as one more character.
  return bits > 0 ? out + BASE32[(buffer << (5 - bits)) & 31] : out;
}

function withSuffix(fake: string, kind: FakeKind, digest: Buffer): string {
  const suffix = suffixOf(digest);
  const at = kind === 'email' ? fake.lastIndexOf('@') : -1;
  return at < 0 ? `${fake}-${suffix}` : `${fake.slice(0, at)}+${suffix}${fake.slice(at)}`;
}

/**
 * sfc32 seeded from HMAC bytes: faker's only source of randomness. Reset before each value, and one
 * faker call per value, so a fake depends on its value alone, never on what was masked before it.
 */
class HmacRandomizer implements Randomizer {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  // Arrow properties: faker calls next() detached from the object.
  readonly next = (): number => {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  };

  readonly seed = (seed: number | number[]): void => {
    const words = Array.isArray(seed) ? seed : [seed];
    this.a = words[0] ?? 0;
    this.b = words[1] ?? 0;
    this.c = words[2] ?? 0;
    this.d = words[3] ?? 1;
  };

  reset(digest: Buffer): void {
    this.a = digest.readInt32LE(0);
    this.b = digest.readInt32LE(4);
    this.c = digest.readInt32LE(8);
    this.d = digest.readInt32LE(12);
  }
}

const FAKE_CALLS: Record<Exclude<FakeKind, 'uuid'>, (faker: Faker) => string> = {
  email: (faker) => faker.internet.email(),
  name: (faker) => faker.person.fullName(),
  'first-name': (faker) => faker.person.firstName(),
  'last-name': (faker) => faker.person.lastName(),
  phone: (faker) => faker.phone.number(),
  address: (faker) => faker.location.streetAddress(),
  city: (faker) => faker.location.city(),
  company: (faker) => faker.company.name(),
  iban: (faker) => faker.finance.iban(),
  ipv4: (faker) => faker.internet.ipv4(),
  date: (faker) => faker.date.past({ years: FAKE_DATE_YEARS, refDate: REFERENCE_DATE }).toISOString(),
};

/** One faker and its randomizer for the whole thread: masking is synchronous, so they are never shared mid-value. */
let fakerState: { faker: Faker; randomizer: HmacRandomizer } | undefined;

function drawFake(kind: Exclude<FakeKind, 'uuid'>, digest: Buffer): string {
  if (!fakerState) {
    const randomizer = new HmacRandomizer();
    const faker = new Faker({ locale: [en, base], randomizer });
    faker.setDefaultRefDate(REFERENCE_DATE);
    fakerState = { faker, randomizer };
  }
  fakerState.randomizer.reset(digest);
  return FAKE_CALLS[kind](fakerState.faker);
}
