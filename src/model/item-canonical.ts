import { binaryBase64 } from './binary.js';
import { normalizeNumber } from './canonical-number.js';
import type { AttributeValue, Item } from './item.js';

/**
 * A canonical text of an item: map keys sorted, set members sorted, binary as base64, numbers in
 * DynamoDB's normalized form ('1.50' as '1.5'). Two items with the same content give the same text
 * whatever order their attributes or set members come in, and however their numbers were written
 * (DynamoDB normalizes what it returns, files from other tools may not) — the basis of item-by-item
 * comparison. Items as DynamoDB returns them are encoded as they are.
 */
export function canonicalItem(item: Item): string {
  return canonicalMap(item);
}

function canonicalMap(map: Record<string, AttributeValue>): string {
  const names = Object.keys(map).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    out += `${i ? ',' : ''}${JSON.stringify(name)}:${canonicalValue(map[name]!)}`;
  }
  return `${out}}`;
}

/** The canonical text of one attribute value, in the same encoding as canonicalItem. */
export function canonicalValue(value: AttributeValue): string {
  if (value.S !== undefined) return `{"S":${JSON.stringify(value.S)}}`;
  if (value.N !== undefined) return `{"N":${JSON.stringify(normalizeNumber(value.N))}}`;
  if (value.B !== undefined) return `{"B":"${binaryBase64(value.B)}"}`;
  if (value.BOOL !== undefined) return `{"BOOL":${value.BOOL}}`;
  if (value.NULL !== undefined) return '{"NULL":true}';
  if (value.SS !== undefined) return `{"SS":${JSON.stringify([...value.SS].sort())}}`;
  if (value.NS !== undefined) return `{"NS":${JSON.stringify(value.NS.map(normalizeNumber).sort())}}`;
  if (value.BS !== undefined) {
    return `{"BS":${JSON.stringify(value.BS.map(binaryBase64).sort())}}`;
  }
  if (value.L !== undefined) return `{"L":[${value.L.map(canonicalValue).join(',')}]}`;
  if (value.M !== undefined) return `{"M":${canonicalMap(value.M)}}`;
  throw new TypeError(`Unknown AttributeValue type: ${Object.keys(value).join(',')}`);
}

// A view, not a copy: the canonical text is built for every item of a verify.
