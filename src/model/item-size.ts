/**
 * Item sizes, computed on every item in the copy's hot path: plain loops, no per-value closures or
 * allocations, no JSON.stringify.
 */

import { binaryLength } from './binary.js';
import type { AttributeValue, Item } from './item.js';
import { itemJsonOf } from './item-json.js';

/**
 * The item's size as DynamoDB counts it for the 400 KB item limit and for capacity units
 * (developer guide, "Item sizes and formats"): UTF-8 bytes of every attribute name plus the value's
 * size. Numbers are DynamoDB's own approximation, so this is exact for every type but N.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const name in item) size += Buffer.byteLength(name, 'utf8') + valueSize(item[name]!);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binaryLength(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) {
    // 3 bytes per List or Map, 1 byte per element.
    let size = 3;
    const map = value.M;
    for (const name in map) size += Buffer.byteLength(name, 'utf8') + valueSize(map[name]!) + 1;
    return size;
  }
  if (value.L !== undefined) {
    let size = 3;
    const list = value.L;
    for (let i = 0; i < list.length; i++) size += valueSize(list[i]!) + 1;
    return size;
  }
  if (value.SS !== undefined) {
    let size = 0;
    const set = value.SS;
    for (let i = 0; i < set.length; i++) size += Buffer.byteLength(set[i]!, 'utf8');
    return size;
  }
  if (value.NS !== undefined) {
    let size = 0;
    const set = value.NS;
    for (let i = 0; i < set.length; i++) size += numberSize(set[i]!);
    return size;
  }
  if (value.BS !== undefined) {
    let size = 0;
    const set = value.BS;
    for (let i = 0; i < set.length; i++) size += binaryLength(set[i]!);
    return size;
  }
  return 0;
}

/**
 * "Approximately (1 byte per two significant digits) + (1 byte)", where leading and trailing zeroes
 * are trimmed; the sign, the decimal point and an exponent cost nothing extra.
 */
export function numberSize(number: string): number {
  let counted = 0;
  let significant = 0;
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break; // e, E: the exponent is not part of the digits
    if (c < 0x30 || c > 0x39) continue;
    if (counted === 0 && c === 0x30) continue;
    counted++;
    if (c !== 0x30) significant = counted;
  }
  return ((significant + 1) >> 1) + 1;
}

// `{"PutRequest":{"Item":` + item + `}}` + the comma separating it from the next request.
const PUT_REQUEST_OVERHEAD = 22 + 2 + 1;

/**
 * An upper bound, in bytes, of the item's share of a BatchWriteItem request body
 * (`{"PutRequest":{"Item":{...}}},` as the SDK serializes it: JSON, binary in base64). Exact except
 * for control characters, which are counted as their longest escape. The 16 MB BatchWriteItem
 * limit applies to this form, which can be far larger than itemSize (base64, escaping).
 */
export function wireSizeUpperBound(item: Item): number {
  // An item written as the text it was read as (item-json.ts) takes exactly that many bytes.
  const json = itemJsonOf(item);
  return putRequestWireSize(json ? json.bytes : mapWireSize(item));
}

/** The bytes an item whose JSON text is `itemBytes` long adds to a BatchWriteItem body. */
export function putRequestWireSize(itemBytes: number): number {
  return PUT_REQUEST_OVERHEAD + itemBytes;
}

function mapWireSize(map: Record<string, AttributeValue>): number {
  let size = 2; // {}
  let count = 0;
  for (const name in map) {
    size += jsonStringSize(name) + 1 + valueWireSize(map[name]!); // "name":value
    count++;
  }
  return count > 0 ? size + count - 1 : size;
}

function valueWireSize(value: AttributeValue): number {
  // `{"S":` and `}` around the value are 6 bytes; `{"SS":[` and `]}` around members are 9.
  if (value.S !== undefined) return 6 + jsonStringSize(value.S);
  if (value.N !== undefined) return 6 + jsonStringSize(value.N);
  if (value.B !== undefined) return 8 + base64Size(binaryLength(value.B));
  if (value.BOOL !== undefined) return value.BOOL ? 13 : 14;
  if (value.NULL !== undefined) return value.NULL ? 13 : 14;
  if (value.M !== undefined) return 6 + mapWireSize(value.M);
  if (value.L !== undefined) {
    const list = value.L;
    let size = 8 + Math.max(list.length - 1, 0);
    for (let i = 0; i < list.length; i++) size += valueWireSize(list[i]!);
    return size;
  }
  if (value.SS !== undefined) {
    const set = value.SS;
    let size = 9 + Math.max(set.length - 1, 0);
    for (let i = 0; i < set.length; i++) size += jsonStringSize(set[i]!);
    return size;
  }
  if (value.NS !== undefined) {
    const set = value.NS;
    let size = 9 + Math.max(set.length - 1, 0);
    for (let i = 0; i < set.length; i++) size += jsonStringSize(set[i]!);
    return size;
  }
  if (value.BS !== undefined) {
    const set = value.BS;
    let size = 9 + Math.max(set.length - 1, 0);
    for (let i = 0; i < set.length; i++) size += 2 + base64Size(binaryLength(set[i]!));
    return size;
  }
  // A member type newer than this code: rare enough to pay for stringify.
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

function base64Size(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

// Characters whose JSON form is not their UTF-8 form: control characters, quote, backslash, and
// surrogates (a lone one is escaped). Most strings have none, and a native scan finds that fast.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NEEDS_ESCAPE_SCAN = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** UTF-8 bytes of the string as a JSON literal, quotes included, as JSON.stringify escapes it. */
function jsonStringSize(text: string): number {
  if (!NEEDS_ESCAPE_SCAN.test(text)) return Buffer.byteLength(text, 'utf8') + 2;
  let size = 2;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20) size += c === 0x22 || c === 0x5c ? 2 : 1;
      else size += 6; // \u00XX; \n, \t and friends are shorter, and this is a bound
    } else if (c < 0x800) {
      size += 2;
    } else if (c < 0xd800 || c > 0xdfff) {
      size += 3;
    } else if (c <= 0xdbff && i + 1 < length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4; // a surrogate pair is one 4-byte character
      i++;
    } else {
      size += 6; // a lone surrogate: JSON.stringify writes \udXXX
    }
  }
  return size;
}
