import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../stores/types.js';

/**
 * A canonical text of an item: map keys sorted, set members sorted, binary as base64. Two items with
 * the same content give the same text whatever order DynamoDB returned their attributes or set
 * members in — the basis of item-by-item comparison.
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

function canonicalValue(value: AttributeValue): string {
  if (value.S !== undefined) return `{"S":${JSON.stringify(value.S)}}`;
  if (value.N !== undefined) return `{"N":${JSON.stringify(value.N)}}`;
  if (value.B !== undefined) return `{"B":"${Buffer.from(value.B).toString('base64')}"}`;
  if (value.BOOL !== undefined) return `{"BOOL":${value.BOOL}}`;
  if (value.NULL !== undefined) return '{"NULL":true}';
  if (value.SS !== undefined) return `{"SS":${JSON.stringify([...value.SS].sort())}}`;
  if (value.NS !== undefined) return `{"NS":${JSON.stringify([...value.NS].sort())}}`;
  if (value.BS !== undefined) {
    return `{"BS":${JSON.stringify(value.BS.map((b) => Buffer.from(b).toString('base64')).sort())}}`;
  }
  if (value.L !== undefined) return `{"L":[${value.L.map(canonicalValue).join(',')}]}`;
  if (value.M !== undefined) return `{"M":${canonicalMap(value.M)}}`;
  throw new TypeError(`Unknown AttributeValue type: ${Object.keys(value).join(',')}`);
}
