/**
 * The verify engine: proves two tables hold the same items, or names how they differ, with memory
 * bounded whatever their size.
 *
 * 1. Digest: both sides are scanned in parallel; each item's key picks a bucket, and the bucket keeps
 *    a count and the sum of the items' 128-bit hashes (order-independent, so parallel segments and
 *    differing scan orders do not matter). Memory: two fixed arrays.
 * 2. Drill-down, only where bucket digests differ: both sides are scanned again, and only keys falling
 *    in mismatched buckets are matched across sides, then classified missing, extra or different.
 *    Buckets holding items on one side only need no matching (their counts are exact already), and
 *    the others are split into passes so one pass holds at most `maxDrillEntries` keys.
 *
 * The tables should not change while they are verified; when a drill-down sees other counts than the
 * digest did, a warning says so.
 */
import { setMaxListeners } from 'node:events';
import { InterruptedError, type Side } from '../../errors.js';
import { itemHash, keyBucket, keyText } from '../../model/item-hash.js';
import type { VerifyPhase, VerifyStats } from '../../runtime/verify-stats.js';
import { BucketDigest, type MismatchedBucket, mismatchedBuckets } from './bucket-digest.js';
import { DifferenceCollector, type DifferenceKind, SampleSet } from './difference-collector.js';
import { type DrillPass, planDrillPasses } from './drill-passes.js';
import { type PageVisitor, type ScanSettings, type ScanSide, scanAllSegments } from './paced-scan.js';

/** What a comparison tells the run as it goes: its steps, and when each scan starts and ends. */
export type CompareEvent =
  | { type: 'step'; name: 'digest' | 'drill-down'; message: string }
  | { type: 'scan-started'; phase: VerifyPhase; stats: VerifyStats }
  | { type: 'scan-finished'; phase: VerifyPhase; stats: VerifyStats };

export interface CompareItemsInput {
  source: ScanSide;
  target: ScanSide;
  /** Key attribute names, hash key first: items of both sides are matched by them. */
  keyAttributes: readonly string[];
  totalSegments: number;
  scanConcurrency: number;
  consistentRead: boolean;
  /** Digest buckets, a power of two. */
  buckets: number;
  /** Keys named per kind of difference. */
  samples: number;
  /** Keys one drill-down pass may hold. */
  maxDrillEntries: number;
  stats: VerifyStats;
  onEvent?: (event: CompareEvent) => void;
  /** Stops both scans; compareItems then throws InterruptedError. */
  signal?: AbortSignal;
}

export interface ItemComparison {
  sourceItems: number;
  targetItems: number;
  missing: number;
  extra: number;
  different: number;
  /** Up to `samples` key texts (DynamoDB JSON) per kind, smallest first. */
  samples: Record<DifferenceKind, string[]>;
  mismatchedBuckets: number;
  passes: number;
  /** Most keys the drill-down held at once. */
  peakHeldKeys: number;
  warnings: string[];
}

export async function compareItems(input: CompareItemsInput): Promise<ItemComparison> {
  const { buckets, keyAttributes, stats } = input;
  input.onEvent?.({
    type: 'step',
    name: 'digest',
    message: `Scanning both tables (${input.totalSegments} segment(s) each) and summing item hashes into ${buckets} buckets`,
  });
  const digests: Record<Side, BucketDigest> = {
    source: new BucketDigest(buckets),
    target: new BucketDigest(buckets),
  };
  // The smallest keys of each side: when they fall in one-sided buckets, they are the samples, and
  // no second scan is needed for them (an empty target is all one-sided buckets).
  const smallest: Record<Side, SampleSet> = {
    source: new SampleSet(input.samples),
    target: new SampleSet(input.samples),
  };
  await scanSides(input, { source: true, target: true }, (side, items) => {
    const digest = digests[side];
    const keys = smallest[side];
    for (const item of items) {
      const key = keyText(item, keyAttributes);
      digest.add(keyBucket(key, buckets), itemHash(item));
      keys.offer(key);
    }
  });
  stats.expected.source = digests.source.total;
  stats.expected.target = digests.target.total;

  const mismatched = mismatchedBuckets(digests.source, digests.target);
  const collector = new DifferenceCollector(input.samples);
  const counts = new Map(mismatched.map((m) => [m.bucket, m]));
  const known = {
    missing: oneSidedSamples(smallest.source, 'source', counts, buckets),
    extra: oneSidedSamples(smallest.target, 'target', counts, buckets),
  };
  for (const key of known.missing ?? []) collector.offerSample('missing', key);
  for (const key of known.extra ?? []) collector.offerSample('extra', key);
  const plan = planDrillPasses(mismatched, {
    maxEntries: input.maxDrillEntries,
    collectSamples: {
      missing: input.samples > 0 && known.missing === undefined,
      extra: input.samples > 0 && known.extra === undefined,
    },
  });
  collector.addCount('missing', plan.missing);
  collector.addCount('extra', plan.extra);
  const warnings: string[] = [];
  // Always said, so a verify's steps are numbered 1 to 5 whatever the digests found.
  input.onEvent?.({
    type: 'step',
    name: 'drill-down',
    message:
      plan.passes.length > 0
        ? `Drilling into ${mismatched.length} mismatched bucket(s) of ${buckets}: ${plan.passes.length} more scan(s)`
        : mismatched.length === 0
          ? `No drill-down needed: all ${buckets} bucket(s) match`
          : `No drill-down needed: the ${mismatched.length} mismatched bucket(s) of ${buckets} are known from the digest scan`,
  });
  for (let index = 0; index < plan.passes.length; index++) {
    const pass = plan.passes[index]!;
    const seen = await drill(input, pass, counts, collector, index + 1, plan.passes.length);
    for (const side of ['source', 'target'] as const) {
      if (seen[side] !== pass.expected[side]) {
        warnings.push(
          `the ${side} table changed while it was verified: ${pass.expected[side]} items in the compared buckets at first, ${seen[side]} when drilled into; run verify again once it is quiet`,
        );
      }
    }
  }

  return {
    sourceItems: digests.source.total,
    targetItems: digests.target.total,
    ...collector.counts,
    samples: {
      missing: [...collector.samples.missing.values],
      extra: [...collector.samples.extra.values],
      different: [...collector.samples.different.values],
    },
    mismatchedBuckets: mismatched.length,
    passes: plan.passes.length,
    peakHeldKeys: collector.peakPending,
    warnings,
  };
}

/**
 * The sample keys of one side's one-sided buckets, when the side's smallest keys settle them: either
 * `samples` of those smallest keys fall in one-sided buckets (no key of such a bucket can be smaller,
 * or it would be among them), or every item of those buckets is among them.
 * Undefined when a scan of those buckets is needed to find them.
 */
function oneSidedSamples(
  smallest: SampleSet,
  side: Side,
  counts: ReadonlyMap<number, MismatchedBucket>,
  buckets: number,
): string[] | undefined {
  const other: Side = side === 'source' ? 'target' : 'source';
  const keys = smallest.values.filter((key) => {
    const bucket = counts.get(keyBucket(key, buckets));
    return bucket !== undefined && bucket[other] === 0;
  });
  let oneSidedItems = 0;
  for (const bucket of counts.values()) if (bucket[other] === 0) oneSidedItems += bucket[side];
  const complete = smallest.values.length < smallest.limit || keys.length === oneSidedItems;
  return complete || keys.length === smallest.limit ? keys : undefined;
}

const COMPARE = 1;
const SAMPLE_ONLY = 2;

/** One drill-down pass; returns the items seen per side in its compared buckets. */
async function drill(
  input: CompareItemsInput,
  pass: DrillPass,
  counts: ReadonlyMap<number, MismatchedBucket>,
  collector: DifferenceCollector,
  number: number,
  passes: number,
): Promise<Record<Side, number>> {
  const { buckets, keyAttributes } = input;
  const roles = new Uint8Array(buckets);
  for (const bucket of pass.compare) roles[bucket] = COMPARE;
  for (const bucket of pass.sampleOnly) roles[bucket] = SAMPLE_ONLY;
  // A side is read only when it holds something this pass needs.
  const needs = (side: Side): boolean =>
    pass.compare.length > 0 || pass.sampleOnly.some((bucket) => (counts.get(bucket)?.[side] ?? 0) > 0);
  const seen: Record<Side, number> = { source: 0, target: 0 };
  await scanSides(
    input,
    { source: needs('source'), target: needs('target') },
    (side, items) => {
      for (const item of items) {
        const key = keyText(item, keyAttributes);
        const role = roles[keyBucket(key, buckets)];
        if (role === COMPARE) {
          seen[side] += 1;
          collector.observe(side, key, itemHash(item).toString('latin1'));
        } else if (role === SAMPLE_ONLY) {
          collector.offerSample(side === 'source' ? 'missing' : 'extra', key);
        }
      }
    },
    number,
    passes,
  );
  collector.endPass();
  return seen;
}

/**
 * Scans the chosen sides at the same time. The first failure on either side stops both and is
 * rethrown; the caller's signal stops both and becomes an InterruptedError.
 */
async function scanSides(
  input: CompareItemsInput,
  sides: Record<Side, boolean>,
  visit: PageVisitor,
  pass = 0,
  passes = 0,
): Promise<void> {
  const phase = pass === 0 ? 'digest' : 'drill-down';
  input.stats.startPhase(phase, sides, pass, passes);
  input.onEvent?.({ type: 'scan-started', phase, stats: input.stats });
  const failure = new AbortController();
  const signal = input.signal ? AbortSignal.any([failure.signal, input.signal]) : failure.signal;
  // Every segment's pending request and back-off sleep listens to it; that is not a leak.
  setMaxListeners(0, failure.signal, signal);
  let firstError: unknown;
  const settings: ScanSettings = {
    totalSegments: input.totalSegments,
    scanConcurrency: input.scanConcurrency,
    consistentRead: input.consistentRead,
    stats: input.stats,
  };
  const run = (scan: ScanSide): Promise<void> =>
    scanAllSegments(scan, settings, visit, signal).catch((error: unknown) => {
      if (firstError === undefined && !input.signal?.aborted) firstError = error;
      failure.abort(error);
    });
  await Promise.all([
    sides.source ? run(input.source) : undefined,
    sides.target ? run(input.target) : undefined,
  ]);
  input.onEvent?.({ type: 'scan-finished', phase, stats: input.stats });
  if (firstError !== undefined) throw firstError;
  if (input.signal?.aborted) {
    throw new InterruptedError('Interrupted before the verification finished.', {
      hint: 'Run the same command again; verify changes nothing, so it can always start over.',
    });
  }
}
