/**
 * Pure: which mismatched buckets each drill-down pass looks into, so that the keys one pass holds in
 * memory stay under a budget however many buckets differ.
 */
import type { MismatchedBucket } from './bucket-digest.js';

export interface DrillPass {
  /** Buckets with items on both sides: each of their keys is matched across the sides. */
  compare: number[];
  /** Buckets with items on one side only: their counts are already exact; scanned only for sample keys. */
  sampleOnly: number[];
  /** Items the digest counted in the `compare` buckets, per side: what the pass should see again. */
  expected: { source: number; target: number };
}

export interface DrillPlan {
  passes: DrillPass[];
  /** Items of buckets the target has none of: all missing, no key needs to be held to know it. */
  missing: number;
  /** Items of buckets the source has none of: all extra. */
  extra: number;
}

export interface DrillOptions {
  /** Keys one pass may hold: the sum of both sides' counts over its compare buckets stays at or below it. */
  maxEntries: number;
  /**
   * Scan one-sided buckets for sample keys, per kind: source-only buckets give `missing` keys,
   * target-only buckets `extra` keys. False when no samples are wanted, or they are known already.
   */
  collectSamples: { missing: boolean; extra: boolean };
}

/**
 * Groups the two-sided buckets greedily into passes of at most `maxEntries` items (a bucket larger
 * than that gets a pass of its own); one-sided buckets ride along with the first pass, as they cost
 * no memory beyond the samples.
 */
export function planDrillPasses(mismatched: readonly MismatchedBucket[], options: DrillOptions): DrillPlan {
  const passes: DrillPass[] = [];
  const sampleOnly: number[] = [];
  let missing = 0;
  let extra = 0;
  let current: DrillPass | undefined;
  let entries = 0;
  for (const { bucket, source, target } of mismatched) {
    if (source === 0 || target === 0) {
      missing += source;
      extra += target;
      if (source > 0 ? options.collectSamples.missing : options.collectSamples.extra) sampleOnly.push(bucket);
      continue;
    }
    const weight = source + target;
    if (!current || (entries + weight > options.maxEntries && current.compare.length > 0)) {
      current = { compare: [], sampleOnly: [], expected: { source: 0, target: 0 } };
      passes.push(current);
      entries = 0;
    }
    current.compare.push(bucket);
    current.expected.source += source;
    current.expected.target += target;
    entries += weight;
  }
  if (sampleOnly.length > 0) {
    if (passes.length === 0) passes.push({ compare: [], sampleOnly: [], expected: { source: 0, target: 0 } });
    passes[0]!.sampleOnly = sampleOnly;
  }
  return { passes, missing, extra };
}
