import { describe, expect, it } from 'vitest';
import { planDrillPasses } from '../../src/engine/verify/drill-passes.js';

const both = { missing: true, extra: true };

describe('planDrillPasses', () => {
  it('counts one-sided buckets without holding keys and samples them in the first pass', () => {
    const plan = planDrillPasses(
      [
        { bucket: 1, source: 5, target: 0 },
        { bucket: 2, source: 0, target: 3 },
      ],
      { maxEntries: 10, collectSamples: both },
    );
    expect(plan.missing).toBe(5);
    expect(plan.extra).toBe(3);
    expect(plan.passes).toEqual([{ compare: [], sampleOnly: [1, 2], expected: { source: 0, target: 0 } }]);
  });

  it('needs no pass at all for one-sided buckets when no samples are wanted', () => {
    const plan = planDrillPasses([{ bucket: 1, source: 5, target: 0 }], {
      maxEntries: 10,
      collectSamples: { missing: false, extra: false },
    });
    expect(plan).toEqual({ passes: [], missing: 5, extra: 0 });
  });

  it('splits two-sided buckets into passes under the key budget; a bucket above it gets its own', () => {
    const plan = planDrillPasses(
      [
        { bucket: 0, source: 3, target: 3 },
        { bucket: 1, source: 2, target: 2 },
        { bucket: 2, source: 20, target: 20 },
        { bucket: 3, source: 1, target: 1 },
        { bucket: 4, source: 9, target: 0 },
      ],
      { maxEntries: 10, collectSamples: both },
    );
    expect(plan.passes).toEqual([
      { compare: [0, 1], sampleOnly: [4], expected: { source: 5, target: 5 } },
      { compare: [2], sampleOnly: [], expected: { source: 20, target: 20 } },
      { compare: [3], sampleOnly: [], expected: { source: 1, target: 1 } },
    ]);
    expect(plan.missing).toBe(9);
  });

  it('samples only the kinds asked for', () => {
    const plan = planDrillPasses(
      [
        { bucket: 1, source: 5, target: 0 },
        { bucket: 2, source: 0, target: 3 },
      ],
      { maxEntries: 10, collectSamples: { missing: false, extra: true } },
    );
    expect(plan.passes).toEqual([{ compare: [], sampleOnly: [2], expected: { source: 0, target: 0 } }]);
  });

  it('plans nothing when nothing differs', () => {
    expect(planDrillPasses([], { maxEntries: 10, collectSamples: both })).toEqual({
      passes: [],
      missing: 0,
      extra: 0,
    });
  });
});
