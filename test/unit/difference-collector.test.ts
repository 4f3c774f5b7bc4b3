import { describe, expect, it } from 'vitest';
import { DifferenceCollector, SampleSet } from '../../src/engine/verify/difference-collector.js';

describe('SampleSet', () => {
  it('keeps the smallest keys, sorted, whatever order they are offered in', () => {
    const keys = ['k5', 'k2', 'k9', 'k1', 'k7', 'k3', 'k2'];
    const forward = new SampleSet(3);
    const backward = new SampleSet(3);
    for (const key of keys) forward.offer(key);
    for (const key of [...keys].reverse()) backward.offer(key);
    expect(forward.values).toEqual(['k1', 'k2', 'k3']);
    expect(backward.values).toEqual(['k1', 'k2', 'k3']);
  });

  it('keeps nothing with a limit of 0', () => {
    const set = new SampleSet(0);
    set.offer('a');
    expect(set.values).toEqual([]);
  });
});

describe('DifferenceCollector', () => {
  it('classifies keys seen on one side, on both with equal content, and on both with other content', () => {
    const collector = new DifferenceCollector(10);
    collector.observe('source', 'same', 'h1');
    collector.observe('target', 'changed', 'h2');
    collector.observe('source', 'missing', 'h3');
    collector.observe('target', 'same', 'h1');
    collector.observe('source', 'changed', 'h9');
    collector.observe('target', 'extra', 'h4');
    expect(collector.pending).toBe(2);
    collector.endPass();
    expect(collector.counts).toEqual({ missing: 1, extra: 1, different: 1 });
    expect(collector.samples.missing.values).toEqual(['missing']);
    expect(collector.samples.extra.values).toEqual(['extra']);
    expect(collector.samples.different.values).toEqual(['changed']);
    expect(collector.pending).toBe(0);
    expect(collector.peakPending).toBe(3);
  });

  it('counts exactly beyond the samples it keeps', () => {
    const collector = new DifferenceCollector(2);
    for (let i = 0; i < 100; i++) collector.observe('source', `k${String(i).padStart(3, '0')}`, 'h');
    collector.endPass();
    expect(collector.counts.missing).toBe(100);
    expect(collector.samples.missing.values).toEqual(['k000', 'k001']);
  });

  it('counts every item once even when a side shows a key twice', () => {
    const collector = new DifferenceCollector(10);
    for (let i = 0; i < 3; i++) collector.observe('target', '{}', `h${i}`);
    collector.endPass();
    expect(collector.counts).toEqual({ missing: 0, extra: 3, different: 0 });
  });

  it('counts a key the source shows twice as missing twice, and names it', () => {
    const collector = new DifferenceCollector(10);
    collector.observe('source', 'k', 'h0');
    collector.observe('source', 'k', 'h1');
    expect(collector.counts).toEqual({ missing: 1, extra: 0, different: 0 });
    expect(collector.samples.missing.values).toEqual(['k']);
    collector.endPass();
    expect(collector.counts).toEqual({ missing: 2, extra: 0, different: 0 });
  });

  it('adds counts known without keys, and samples offered for them', () => {
    const collector = new DifferenceCollector(5);
    collector.addCount('extra', 7);
    collector.offerSample('extra', 'b');
    collector.offerSample('extra', 'a');
    expect(collector.counts.extra).toBe(7);
    expect(collector.samples.extra.values).toEqual(['a', 'b']);
  });
});
