/**
 * Strict item comparison for the conformance suite. Stricter than src/model/item-canonical.ts on
 * purpose: numbers are compared as the exact strings a store returns ('1.5' and '1.50' differ), every
 * attribute value must hold exactly one member of the right JS type, and binary compares as bytes
 * (Uint8Array or standard base64 text, whichever form a store hands out). Only set order is ignored:
 * DynamoDB promises none.
 */
import { itemJsonOf } from '../../src/model/item-json.js';
import type { AttributeValue, Item } from '../../src/stores/types.js';

const MAX_PROBLEMS = 20;
const SHOWN_KEY_CHARS = 120;

function base64Of(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  throw new TypeError(`${where}: binary is neither bytes nor base64 text (${typeof value})`);
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((member) => typeof member !== 'string')) {
    throw new TypeError(`${where}: not an array of strings`);
  }
  return value as string[];
}

/** The strict canonical text of one attribute value; throws naming `where` when it is malformed. */
export function strictValue(value: AttributeValue, where = 'value'): string {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where}: not an object`);
  const members = Object.entries(value).filter(([, member]) => member !== undefined);
  if (members.length !== 1) {
    throw new TypeError(
      `${where}: holds ${members.length} members (${members.map(([name]) => name).join(',')})`,
    );
  }
  const [type, member] = members[0]! as [string, unknown];
  switch (type) {
    case 'S':
    case 'N':
      if (typeof member !== 'string')
        throw new TypeError(`${where}: ${type} is a ${typeof member}, not a string`);
      return `{"${type}":${JSON.stringify(member)}}`;
    case 'B':
      return `{"B":"${base64Of(member, where)}"}`;
    case 'BOOL':
      if (typeof member !== 'boolean') throw new TypeError(`${where}: BOOL is a ${typeof member}`);
      return `{"BOOL":${member}}`;
    case 'NULL':
      if (member !== true) throw new TypeError(`${where}: NULL is ${JSON.stringify(member)}, not true`);
      return '{"NULL":true}';
    case 'SS':
    case 'NS':
      return `{"${type}":${JSON.stringify([...strings(member, where)].sort())}}`;
    case 'BS': {
      if (!Array.isArray(member)) throw new TypeError(`${where}: BS is not an array`);
      const members64 = member.map((bytes, i) => base64Of(bytes, `${where}.BS[${i}]`));
      return `{"BS":${JSON.stringify(members64.sort())}}`;
    }
    case 'L': {
      if (!Array.isArray(member)) throw new TypeError(`${where}: L is not an array`);
      const values = (member as AttributeValue[]).map((v, i) => strictValue(v, `${where}[${i}]`));
      return `{"L":[${values.join(',')}]}`;
    }
    case 'M':
      if (typeof member !== 'object' || member === null || Array.isArray(member)) {
        throw new TypeError(`${where}: M is not an object`);
      }
      return `{"M":${strictMap(member as Item, where)}}`;
    default:
      throw new TypeError(`${where}: unknown member ${type}`);
  }
}

function strictMap(map: Item, where: string): string {
  const names = Object.keys(map).sort();
  return `{${names.map((name) => `${JSON.stringify(name)}:${strictValue(map[name]!, `${where}.${name}`)}`).join(',')}}`;
}

/** The strict canonical text of an item. */
export function strictItem(item: Item): string {
  return strictMap(item, 'item');
}

/** The strict canonical text of an item's key attributes (the identity the comparison groups by). */
export function keyText(item: Item, keyNames: readonly string[]): string {
  return keyNames
    .map((name) => {
      const value = item[name];
      return `${name}=${value === undefined ? '<absent>' : strictValue(value, `key ${name}`)}`;
    })
    .join(' ');
}

function shorten(text: string): string {
  return text.length > SHOWN_KEY_CHARS ? `${text.slice(0, SHOWN_KEY_CHARS)}…` : text;
}

/** Names of the attributes whose values differ between two items with the same key. */
function differingAttributes(a: Item, b: Item): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differ: string[] = [];
  for (const name of names) {
    const left = a[name] === undefined ? '<absent>' : strictValue(a[name]!, name);
    const right = b[name] === undefined ? '<absent>' : strictValue(b[name]!, name);
    if (left !== right) differ.push(shorten(name));
  }
  return differ;
}

function groupByKey(items: readonly Item[], keyNames: readonly string[]): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = keyText(item, keyNames);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * How the items read differ from the items expected, as a multiset: every expected item read exactly
 * as often as expected, nothing else. Returns readable problems (empty when they are the same), so a
 * failure names keys and attributes rather than printing 400 KB items.
 */
export function itemProblems(
  actual: readonly Item[],
  expected: readonly Item[],
  keyNames: readonly string[],
): string[] {
  const problems: string[] = [];
  const got = groupByKey(actual, keyNames);
  const want = groupByKey(expected, keyNames);
  for (const key of new Set([...want.keys(), ...got.keys()])) {
    const read = got.get(key) ?? [];
    const written = want.get(key) ?? [];
    const shown = shorten(key);
    if (read.length === 0) {
      problems.push(`missing: ${shown}`);
      continue;
    }
    if (written.length === 0) {
      problems.push(`unexpected: ${shown}`);
      continue;
    }
    if (read.length !== written.length) {
      problems.push(`${shown}: read ${read.length} time(s), expected ${written.length}`);
      continue;
    }
    const readTexts = read.map(strictItem).sort();
    const writtenTexts = written.map(strictItem).sort();
    if (readTexts.every((text, i) => text === writtenTexts[i])) continue;
    if (read.length === 1) {
      problems.push(`${shown}: differs in ${differingAttributes(read[0]!, written[0]!).join(', ')}`);
    } else {
      problems.push(`${shown}: the ${read.length} items under this key differ from those expected`);
    }
  }
  if (problems.length > MAX_PROBLEMS) {
    return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`];
  }
  return problems;
}

/**
 * Items that carry the JSON text a store received them as (src/model/item-json.ts: a DynamoDB sink
 * sends that text on unchanged) must carry text saying exactly the same item. Returns problems.
 */
export function attachedJsonProblems(items: readonly Item[], keyNames: readonly string[]): string[] {
  const problems: string[] = [];
  for (const item of items) {
    const attached = itemJsonOf(item);
    if (!attached) continue;
    const key = shorten(keyText(item, keyNames));
    if (Buffer.byteLength(attached.text, 'utf8') !== attached.bytes) {
      problems.push(
        `${key}: attached text is ${Buffer.byteLength(attached.text)} bytes, says ${attached.bytes}`,
      );
    }
    let parsed: Item;
    try {
      parsed = JSON.parse(attached.text) as Item;
    } catch {
      problems.push(`${key}: attached text is not JSON`);
      continue;
    }
    if (strictItem(parsed) !== strictItem(item)) problems.push(`${key}: attached text says another item`);
  }
  return problems.slice(0, MAX_PROBLEMS);
}
