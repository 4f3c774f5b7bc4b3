import { describe, expect, it } from 'vitest';
import { SegmentProgress, type SegmentState } from '../../src/core/segment-progress.js';
import type { Key } from '../../src/stores/types.js';

const key = (n: number): Key => ({ pk: { N: String(n) } });

describe('SegmentProgress', () => {
  it('starts every segment from the beginning, not done', () => {
    const progress = new SegmentProgress(3);
    expect(progress.snapshot()).toEqual(
      [0, 1, 2].map((segment) => ({
        segment,
        startKey: undefined,
        done: false,
        itemsWritten: 0,
      })),
    );
  });

  it('advances only over the contiguous prefix of acknowledged pages', () => {
    const progress = new SegmentProgress(1);
    const first = progress.addPage(0, key(1), 10, 2);
    const second = progress.addPage(0, key(2), 5, 1);
    const third = progress.addPage(0, undefined, 3, 1);

    // Later pages acknowledged first: nothing moves.
    expect(progress.ackBatch(third)).toBe(false);
    expect(progress.ackBatch(second)).toBe(false);
    expect(progress.state(0)).toEqual({ segment: 0, startKey: undefined, done: false, itemsWritten: 0 });

    // Half of the first page: still nothing.
    expect(progress.ackBatch(first)).toBe(false);
    expect(progress.state(0).startKey).toBeUndefined();

    // The first page completes: the whole prefix (all three pages) is passed at once.
    expect(progress.ackBatch(first)).toBe(true);
    expect(progress.state(0)).toEqual({ segment: 0, startKey: undefined, done: true, itemsWritten: 18 });
  });

  it('moves page by page when acknowledgements come in order', () => {
    const progress = new SegmentProgress(2);
    const a = progress.addPage(1, key(1), 4, 1);
    const b = progress.addPage(1, key(2), 4, 1);
    expect(progress.ackBatch(a)).toBe(true);
    expect(progress.state(1)).toMatchObject({ startKey: key(1), done: false, itemsWritten: 4 });
    expect(progress.ackBatch(b)).toBe(true);
    expect(progress.state(1)).toMatchObject({ startKey: key(2), done: false, itemsWritten: 8 });
    // The other segment is untouched.
    expect(progress.state(0)).toMatchObject({ startKey: undefined, done: false, itemsWritten: 0 });
  });

  it('acknowledges an empty page at once when nothing is in flight before it', () => {
    const progress = new SegmentProgress(1);
    progress.addPage(0, key(7), 0, 0);
    expect(progress.state(0)).toMatchObject({ startKey: key(7), done: false, itemsWritten: 0 });
    progress.addPage(0, undefined, 0, 0);
    expect(progress.state(0)).toMatchObject({ startKey: undefined, done: true, itemsWritten: 0 });
  });

  it('holds an empty page behind an unacknowledged earlier page', () => {
    const progress = new SegmentProgress(1);
    const full = progress.addPage(0, key(1), 25, 1);
    progress.addPage(0, key(2), 0, 0);
    expect(progress.state(0).startKey).toBeUndefined();
    expect(progress.ackBatch(full)).toBe(true);
    expect(progress.state(0)).toMatchObject({ startKey: key(2), itemsWritten: 25, done: false });
  });

  it('sets done only once the last page (no lastKey) and every earlier page are written', () => {
    const progress = new SegmentProgress(1);
    const first = progress.addPage(0, key(1), 1, 1);
    const last = progress.addPage(0, undefined, 1, 1);
    progress.ackBatch(last);
    expect(progress.state(0).done).toBe(false);
    progress.ackBatch(first);
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
    const page = progress.addPage(2, key(10), 5, 1);
    progress.ackBatch(page);
    expect(progress.state(2)).toEqual({ segment: 2, startKey: key(10), done: false, itemsWritten: 45 });
    // The saved objects are copied, not changed.
    expect(saved[1]).toEqual({ segment: 2, startKey: key(9), done: false, itemsWritten: 40 });
  });

  it('snapshots are copies', () => {
    const progress = new SegmentProgress(1);
    const before = progress.snapshot();
    progress.ackBatch(progress.addPage(0, key(1), 3, 1));
    expect(before[0]).toMatchObject({ startKey: undefined, itemsWritten: 0 });
    expect(progress.snapshot()[0]).toMatchObject({ startKey: key(1), itemsWritten: 3 });
  });
});
