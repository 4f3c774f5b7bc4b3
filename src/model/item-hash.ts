/**
 * What verify computes per item: the canonical text of its key (which also names it in reports),
 * the bucket that key falls in, and a 128-bit hash of the whole item's canonical encoding.
 */
import crypto from 'node:crypto';
import { binaryBase64 } from './binary.js';
import { normalizeNumber } from './canonical-number.js';
import type { Item } from './item.js';
import { canonicalItem, canonicalValue } from './item-canonical.js';

/** Bytes of an item hash: 128 bits, so a sum of a billion of them still tells a change apart. */
export const ITEM_HASH_BYTES = 16;

/**
 * md5 is about as fast as any hash Node offers and its 128 bits are all we keep; no adversary chooses
 * our items, so its broken collision resistance does not matter. Under FIPS, OpenSSL refuses md5 and
 * sha256 (truncated) takes its place — both sides of one run always use the same.
 */
const ALGORITHM = pickAlgorithm();

function pickAlgorithm(): string {
  try {
    crypto.hash('md5', '', 'buffer');
    return 'md5';
  } catch {
    return 'sha256';
  }
}

/** 16 bytes identifying the item's content: equal for equal items whatever their attribute or set order. */
export function itemHash(item: Item): Buffer {
  const digest = crypto.hash(ALGORITHM, canonicalItem(item), 'buffer');
  return digest.length === ITEM_HASH_BYTES ? digest : digest.subarray(0, ITEM_HASH_BYTES);
}

/**
 * The item's key as DynamoDB JSON with the key attributes in the given order (hash key first),
 * numbers normalized and binary as base64: `{"pk":{"S":"a"},"sk":{"N":"1.5"}}`. Two items get the
 * same text exactly when DynamoDB sees the same key, and the text is what reports print.
 */
export function keyText(item: Item, keyAttributes: readonly string[]): string {
  let text = '{';
  for (let i = 0; i < keyAttributes.length; i++) {
    const name = keyAttributes[i]!;
    const value = item[name];
    if (value === undefined) continue;
    let typed: string;
    if (value.S !== undefined) typed = `{"S":${JSON.stringify(value.S)}}`;
    else if (value.N !== undefined) typed = `{"N":${JSON.stringify(normalizeNumber(value.N))}}`;
    else if (value.B !== undefined) {
      typed = `{"B":"${binaryBase64(value.B)}"}`;
    } else {
      // Not a key type DynamoDB allows; it must still never merge with another key.
      typed = canonicalValue(value);
    }
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(name)}:${typed}`;
  }
  return `${text}}`;
}

/**
 * The bucket of a key text, in [0, buckets) for a power-of-two `buckets`. FNV-1a over the UTF-16 code
 * units, then murmur3's finalizer so the low bits are as mixed as the high ones: a few times cheaper
 * than a cryptographic hash, and keys cannot be chosen to defeat it in any way that matters (a
 * lopsided bucket only makes its drill-down bigger).
 */
export function keyBucket(text: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) & (buckets - 1);
}
