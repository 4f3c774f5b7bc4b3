/** The primary key of a table, read from its description: names, key types, attribute types. */
import type { TableDescription } from './table.js';

/** The key schema in words, hash key first: `pk (S) HASH, sk (N) RANGE`. */
export function describeKeySchema(table: TableDescription): string {
  return keyParts(table)
    .map((part) => `${part.name} (${part.type ?? '?'}) ${part.keyType}`)
    .join(', ');
}

/** True when both tables have the same key attribute names, key types and attribute types. */
export function keySchemasMatch(a: TableDescription, b: TableDescription): boolean {
  const left = keyParts(a);
  const right = keyParts(b);
  if (left.length === 0 || left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    const l = left[i]!;
    const r = right[i]!;
    if (l.name !== r.name || l.keyType !== r.keyType || l.type !== r.type) return false;
  }
  return true;
}

/** The primary-key attribute names, hash key first. */
export function keyAttributeNames(table: TableDescription): string[] {
  return keyParts(table).map((part) => part.name);
}

interface KeyPart {
  name: string;
  keyType: string;
  type: string | undefined;
}

function keyParts(table: TableDescription): KeyPart[] {
  const parts: KeyPart[] = [];
  for (const element of table.KeySchema ?? []) {
    if (element.AttributeName === undefined || element.KeyType === undefined) continue;
    const definition = table.AttributeDefinitions?.find((d) => d.AttributeName === element.AttributeName);
    parts.push({ name: element.AttributeName, keyType: element.KeyType, type: definition?.AttributeType });
  }
  // DynamoDB lists HASH first, but the order is a convention of the response, not a promise.
  parts.sort((x, y) => (x.keyType === y.keyType ? 0 : x.keyType === 'HASH' ? -1 : 1));
  return parts;
}
