/**
 * An order-independent digest of a table, split by key hash into buckets: per bucket, the number of
 * items and the sum of their 128-bit hashes modulo 2^128. Adding items in any order, from any number
 * of parallel segments, gives the same digest; two tables whose bucket digests agree hold the same
 * items in that bucket (barring a 2^-128 accident), and a bucket that disagrees is where to look.
 */
import { ITEM_HASH_BYTES } from '../../model/item-hash.js';

const LANES = ITEM_HASH_BYTES / 4;

export class BucketDigest {
  /** Items per bucket; 2^32 per bucket is beyond any table's reach. */
  readonly counts: Uint32Array;
  /** LANES little-endian uint32 words per bucket, least significant first. */
  private readonly sums: Uint32Array;
  private items = 0;

  constructor(readonly buckets: number) {
    if (!Number.isInteger(Math.log2(buckets)) || buckets < 1) {
      throw new RangeError(`bucket count must be a power of two, not ${buckets}`);
    }
    this.counts = new Uint32Array(buckets);
    this.sums = new Uint32Array(buckets * LANES);
  }

  /** Total items added. */
  get total(): number {
    return this.items;
  }

  /** Adds one item's hash (at least ITEM_HASH_BYTES bytes; the first 16 count) to its bucket. */
  add(bucket: number, hash: Uint8Array): void {
    this.counts[bucket]! += 1;
    this.items += 1;
    const base = bucket * LANES;
    let carry = 0;
    for (let lane = 0; lane < LANES; lane++) {
      const at = lane * 4;
      const word = (hash[at]! | (hash[at + 1]! << 8) | (hash[at + 2]! << 16) | (hash[at + 3]! << 24)) >>> 0;
      // At most 2^33 - 1: exact in a double, and the carry is the bit above 32.
      const sum = this.sums[base + lane]! + word + carry;
      this.sums[base + lane] = sum;
      carry = sum > 0xffffffff ? 1 : 0;
    }
  }

  /** The 128-bit sum of a bucket, as hex (most significant first): for tests and debugging. */
  sumHex(bucket: number): string {
    let hex = '';
    for (let lane = LANES - 1; lane >= 0; lane--) {
      hex += this.sums[bucket * LANES + lane]!.toString(16).padStart(8, '0');
    }
    return hex;
  }

  /** True when both digests have the same count and sum in `bucket`. */
  sameBucket(other: BucketDigest, bucket: number): boolean {
    if (this.counts[bucket] !== other.counts[bucket]) return false;
    const base = bucket * LANES;
    for (let lane = 0; lane < LANES; lane++) {
      if (this.sums[base + lane] !== other.sums[base + lane]) return false;
    }
    return true;
  }
}

/** A bucket whose digests differ, with each side's item count in it. */
export interface MismatchedBucket {
  bucket: number;
  source: number;
  target: number;
}

/** The buckets where the two digests differ, in bucket order. */
export function mismatchedBuckets(source: BucketDigest, target: BucketDigest): MismatchedBucket[] {
  if (source.buckets !== target.buckets) {
    throw new RangeError(`digests of ${source.buckets} and ${target.buckets} buckets cannot be compared`);
  }
  const result: MismatchedBucket[] = [];
  for (let bucket = 0; bucket < source.buckets; bucket++) {
    if (!source.sameBucket(target, bucket)) {
      result.push({ bucket, source: source.counts[bucket]!, target: target.counts[bucket]! });
    }
  }
  return result;
}
