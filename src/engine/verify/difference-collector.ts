/**
 * The drill-down's bookkeeping: keys of one pass's buckets, seen from either side, classified as
 * missing (source only), extra (target only) or different (both, other content), with counts and
 * a few sample keys of each kind.
 */
import type { Side } from '../../errors.js';

export type DifferenceKind = 'missing' | 'extra' | 'different';

/** The `limit` smallest keys offered, in order: the same samples whatever order the scans ran in. */
export class SampleSet {
  private readonly keys: string[] = [];

  constructor(readonly limit: number) {}

  offer(key: string): void {
    const keys = this.keys;
    if (this.limit <= 0 || (keys.length >= this.limit && key >= keys[keys.length - 1]!)) return;
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    if (keys[low] === key) return;
    keys.splice(low, 0, key);
    if (keys.length > this.limit) keys.pop();
  }

  get values(): readonly string[] {
    return this.keys;
  }
}

const SOURCE_TAG = 's';
const TARGET_TAG = 't';

/**
 * Matches keys across the two sides. A key waits in memory only until the other side shows it (then
 * it is settled at once), so a pass holds at most the keys of its buckets, and usually far fewer:
 * both sides are scanned at the same time, in much the same order.
 */
export class DifferenceCollector {
  readonly counts: Record<DifferenceKind, number> = { missing: 0, extra: 0, different: 0 };
  readonly samples: Record<DifferenceKind, SampleSet>;
  /** Key text -> side tag + item hash, for keys seen on one side so far. */
  private readonly waiting = new Map<string, string>();
  private peak = 0;

  constructor(samples: number) {
    this.samples = {
      missing: new SampleSet(samples),
      extra: new SampleSet(samples),
      different: new SampleSet(samples),
    };
  }

  /** Keys held now. */
  get pending(): number {
    return this.waiting.size;
  }

  /** The most keys held at once so far. */
  get peakPending(): number {
    return this.peak;
  }

  /**
   * One item of a compared bucket. `hash` identifies its content (any string; equal content, equal
   * string). A scan of a table returns a key once; should a side show it again (items lacking the key
   * attributes, when the target's key schema differs), the earlier copy counts as one-sided, so every
   * item is still counted once.
   */
  observe(side: Side, key: string, hash: string): void {
    const tag = side === 'source' ? SOURCE_TAG : TARGET_TAG;
    const other = this.waiting.get(key);
    if (other === undefined || other[0] === tag) {
      if (other !== undefined) this.record(tag === SOURCE_TAG ? 'missing' : 'extra', key);
      this.waiting.set(key, tag + hash);
      if (this.waiting.size > this.peak) this.peak = this.waiting.size;
      return;
    }
    this.waiting.delete(key);
    if (other.slice(1) !== hash) this.record('different', key);
  }

  /** Counts one difference and offers its key as a sample. */
  record(kind: DifferenceKind, key: string): void {
    this.counts[kind] += 1;
    this.samples[kind].offer(key);
  }

  /** Adds differences known without their keys (one-sided buckets); keys come through `offerSample`. */
  addCount(kind: DifferenceKind, count: number): void {
    this.counts[kind] += count;
  }

  offerSample(kind: DifferenceKind, key: string): void {
    this.samples[kind].offer(key);
  }

  /** Ends a pass: every key still waiting was seen on one side only. */
  endPass(): void {
    for (const [key, entry] of this.waiting) {
      this.record(entry[0] === SOURCE_TAG ? 'missing' : 'extra', key);
    }
    this.waiting.clear();
  }
}
