import { describe, expect, it } from 'vitest';
import {
  type BatchOutline,
  SegmentProgress,
  type SegmentState,
} from '../../src/engine/copy/segment-progress.js';
import type { Key } from '../../src/stores/types.js';

const key = (n: number): Key => ({ pk: { N: String(n) } });
/** Batches of the given sizes whose last items have keys from..from+n-1. */
const outline = (from: number, ...sizes: number[]): BatchOutline[] =>
  sizes.map((items, i) => ({ items, lastItemKey: key(from + i) }));

describe('SegmentProgress', () => {
  it('starts every segment from the beginning, not done', () => {
    const progress = new SegmentProgress(3);
    expect(progress.snapshot()).toEqual(
      [0, 1, 2].map((segment) => ({ segment, startKey: undefined, done: false, itemsWritten: 0 })),
    );
  });

  it('advances only over the contiguous prefix of acknowledged batches', () => {
    const progress = new SegmentProgress(1);
    const [a1, a2] = progress.addPage(0, key(100), outline(1, 5, 5));
    const [b1] = progress.addPage(0, key(200), outline(10, 5));
    const [c1] = progress.addPage(0, undefined, outline(20, 3));

    // Later batches acknowledged first: nothing moves.
    expect(progress.acknowledge(c1!)).toBe(false);
    expect(progress.acknowledge(b1!)).toBe(false);
    expect(progress.acknowledge(a2!)).toBe(false);
    expect(progress.state(0)).toEqual({ segment: 0, startKey: undefined, done: false, itemsWritten: 0 });

    // The first batch: the whole prefix passes at once, to the end of the segment.
    expect(progress.acknowledge(a1!)).toBe(true);
    expect(progress.state(0)).toEqual({ segment: 0, startKey: undefined, done: true, itemsWritten: 18 });
  });

  it('inside a page, resumes after the last item of the last written batch', () => {
    const progress = new SegmentProgress(2);
    const [a, b, c] = progress.addPage(1, key(99), outline(1, 25, 25, 10));
    expect(progress.acknowledge(a!)).toBe(true);
    expect(progress.state(1)).toMatchObject({ startKey: key(1), done: false, itemsWritten: 25 });
    expect(progress.acknowledge(b!)).toBe(true);
    expect(progress.state(1)).toMatchObject({ startKey: key(2), itemsWritten: 50 });
    // The page's last batch resumes at the page's LastEvaluatedKey.
    expect(progress.acknowledge(c!)).toBe(true);
    expect(progress.state(1)).toMatchObject({ startKey: key(99), done: false, itemsWritten: 60 });
    // The other segment is untouched.
    expect(progress.state(0)).toMatchObject({ startKey: undefined, done: false, itemsWritten: 0 });
  });

  it('passes an empty page at once when nothing is in flight before it', () => {
    const progress = new SegmentProgress(1);
    expect(progress.addPage(0, key(7), [])).toEqual([]);
    expect(progress.state(0)).toMatchObject({ startKey: key(7), done: false, itemsWritten: 0 });
    progress.addPage(0, undefined, []);
    expect(progress.state(0)).toMatchObject({ done: true, itemsWritten: 0 });
  });

  it('holds an empty page behind an unacknowledged earlier batch', () => {
    const progress = new SegmentProgress(1);
    const [full] = progress.addPage(0, key(1), outline(1, 25));
    progress.addPage(0, key(2), []);
    expect(progress.state(0).startKey).toBeUndefined();
    expect(progress.acknowledge(full!)).toBe(true);
    expect(progress.state(0)).toMatchObject({ startKey: key(2), itemsWritten: 25, done: false });
  });

  it('sets done only once the last page (no lastKey) and everything before it are written', () => {
    const progress = new SegmentProgress(1);
    const [first] = progress.addPage(0, key(1), outline(1, 1));
    const [last] = progress.addPage(0, undefined, outline(2, 1));
    progress.acknowledge(last!);
    expect(progress.state(0).done).toBe(false);
    progress.acknowledge(first!);
    expect(progress.state(0).done).toBe(true);
  });

  it('resumes from saved states and counts on from their items', () => {
    const saved: SegmentState[] = [
      { segment: 0, startKey: undefined, done: true, itemsWritten: 100 },
      { segment: 2, startKey: key(9), done: false, itemsWritten: 40 },
    ];
    const progress = new SegmentProgress(3, saved);
    expect(progress.state(0)).toEqual(saved[0]);
    expect(progress.state(1)).toEqual({ segment: 1, startKey: undefined, done: false, itemsWritten: 0 });
    expect(progress.state(2)).toEqual(saved[1]);
    const [batch] = progress.addPage(2, key(10), outline(50, 5));
    progress.acknowledge(batch!);
    expect(progress.state(2)).toEqual({ segment: 2, startKey: key(10), done: false, itemsWritten: 45 });
    // The saved objects are copied, not changed.
    expect(saved[1]).toEqual({ segment: 2, startKey: key(9), done: false, itemsWritten: 40 });
  });

  it('snapshots are copies', () => {
    const progress = new SegmentProgress(1);
    const before = progress.snapshot();
    progress.acknowledge(progress.addPage(0, key(1), outline(5, 3))[0]!);
    expect(before[0]).toMatchObject({ startKey: undefined, itemsWritten: 0 });
    expect(progress.snapshot()[0]).toMatchObject({ startKey: key(1), itemsWritten: 3 });
  });
});
