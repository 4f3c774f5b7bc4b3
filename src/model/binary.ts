import type { Binary } from './item.js';

/** Bytes of a binary value, without decoding base64 text (its length says how many bytes it holds). */
export function binaryLength(value: Binary): number {
  if (typeof value !== 'string') return value.byteLength;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** The value as standard padded base64, as DynamoDB's JSON writes it. */
export function binaryBase64(value: Binary): string {
  return typeof value === 'string'
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/** The value as bytes. */
export function binaryBytes(value: Binary): Uint8Array {
  return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
}
