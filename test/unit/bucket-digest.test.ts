import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BucketDigest, mismatchedBuckets } from '../../src/engine/verify/bucket-digest.js';
import { chooseBucketCount, MAX_BUCKETS, MIN_BUCKETS } from '../../src/plan/verify-plan.js';

/** The 128-bit little-endian value of a hash, as a BigInt. */
function value(hash: Uint8Array): bigint {
  let result = 0n;
  for (let i = hash.length - 1; i >= 0; i--) result = (result << 8n) | BigInt(hash[i]!);
  return result;
}

describe('BucketDigest', () => {
  it('sums hashes modulo 2^128, carrying between every word', () => {
    const digest = new BucketDigest(4);
    let expected = 0n;
    const hashes = [
      ...Array.from({ length: 1000 }, () => randomBytes(16)),
      Buffer.alloc(16, 0xff),
      Buffer.alloc(16, 0xff),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
      Buffer.from([1, ...new Array(15).fill(0)]),
    ];
    for (const hash of hashes) {
      digest.add(2, hash);
      expected = (expected + value(hash)) % 2n ** 128n;
    }
    expect(digest.sumHex(2)).toBe(expected.toString(16).padStart(32, '0'));
    expect(digest.counts[2]).toBe(hashes.length);
    expect(digest.total).toBe(hashes.length);
    expect(digest.sumHex(0)).toBe('0'.repeat(32));
  });

  it('gives the same digest whatever order the items come in', () => {
    const hashes = Array.from({ length: 500 }, () => randomBytes(16));
    const forward = new BucketDigest(8);
    const backward = new BucketDigest(8);
    for (let i = 0; i < hashes.length; i++) forward.add(i % 8, hashes[i]!);
    for (let i = hashes.length - 1; i >= 0; i--) backward.add(i % 8, hashes[i]!);
    expect(mismatchedBuckets(forward, backward)).toEqual([]);
  });

  it('names the buckets that differ, by count or by sum, with both counts', () => {
    const source = new BucketDigest(8);
    const target = new BucketDigest(8);
    const shared = randomBytes(16);
    for (const digest of [source, target]) digest.add(1, shared);
    source.add(3, randomBytes(16)); // missing from the target
    source.add(5, Buffer.alloc(16, 1));
    target.add(5, Buffer.alloc(16, 2)); // same count, other content
    target.add(7, randomBytes(16)); // extra
    expect(mismatchedBuckets(source, target)).toEqual([
      { bucket: 3, source: 1, target: 0 },
      { bucket: 5, source: 1, target: 1 },
      { bucket: 7, source: 0, target: 1 },
    ]);
  });

  it('refuses a bucket count that is not a power of two', () => {
    expect(() => new BucketDigest(1000)).toThrow(/power of two/);
  });
});

describe('chooseBucketCount', () => {
  it.each([
    [0, MIN_BUCKETS],
    [1_000_000, MIN_BUCKETS],
    [2_000_000, 8192],
    [100_000_000, 524_288],
    [10_000_000_000, MAX_BUCKETS],
  ])('%i items -> %i buckets', (items, buckets) => {
    expect(chooseBucketCount(items)).toBe(buckets);
  });
});

describe('BucketDigest, word by word', () => {
  const hash = (...bytes: number[]) => Uint8Array.from({ length: 16 }, (_, i) => bytes[i] ?? 0);

  it('accepts one bucket and refuses a fraction of one', () => {
    expect(new BucketDigest(1).buckets).toBe(1);
    expect(() => new BucketDigest(0.5)).toThrow(RangeError);
  });

  it('carries only past 0xffffffff, never into the next bucket', () => {
    const digest = new BucketDigest(2);
    digest.add(0, hash(0xff, 0xff, 0xff, 0xff));
    expect(digest.sumHex(0)).toBe(`${'0'.repeat(24)}ffffffff`);
    const full = new Uint8Array(16).fill(0xff);
    digest.add(1, full);
    digest.add(1, full);
    expect(digest.sumHex(1)).toBe(`${'f'.repeat(31)}e`);
    expect(digest.sumHex(0)).toBe(`${'0'.repeat(24)}ffffffff`);
    const next = new BucketDigest(2);
    next.add(0, full);
    next.add(0, full);
    expect(next.sumHex(1)).toBe('0'.repeat(32));
  });

  it('tells buckets apart by count when their sums agree', () => {
    const source = new BucketDigest(2);
    const target = new BucketDigest(2);
    source.add(1, hash());
    expect(mismatchedBuckets(source, target)).toEqual([{ bucket: 1, source: 1, target: 0 }]);
  });

  it('refuses to compare digests of other bucket counts', () => {
    expect(() => mismatchedBuckets(new BucketDigest(2), new BucketDigest(4))).toThrow(
      new RangeError('digests of 2 and 4 buckets cannot be compared'),
    );
  });
});
