import { describe, expect, it } from 'vitest';
import { aboutUsd, formatUsd } from '../../src/cli/render/estimate.js';
import {
  type CopyEstimateInput,
  estimateCopy,
  PRICE_LIST,
  sumEstimates,
} from '../../src/plan/cost-estimate.js';

const KB = 1024;
const GB = 1024 ** 3;

function input(overrides: Partial<CopyEstimateInput> = {}): CopyEstimateInput {
  return {
    size: { items: 1000, bytes: 1000 * 1500 },
    copyItems: true,
    consistentRead: false,
    source: { mode: 'on-demand' },
    target: { mode: 'on-demand' },
    readRate: undefined,
    writeRate: undefined,
    targetIndexes: 0,
    sourceRegion: 'eu-west-1',
    targetRegion: 'eu-west-1',
    ...overrides,
  };
}

describe('capacity units', () => {
  it('reads: the bytes in 4 KB units, half a unit each when eventually consistent', () => {
    // 1,500,000 bytes = 366.2 units of 4 KB → 367 → 183.5 eventually consistent.
    expect(estimateCopy(input()).readUnits).toBe(183.5);
    expect(estimateCopy(input({ consistentRead: true })).readUnits).toBe(367);
    // A Scan is charged per page of bytes, not per item: 1,000 items of 100 bytes are 25 units, not 1,000.
    expect(
      estimateCopy(input({ size: { items: 1000, bytes: 100_000 }, consistentRead: true })).readUnits,
    ).toBe(25);
  });

  it('writes: per item, its size in 1 KB units rounded up', () => {
    // 1,500 bytes an item: 2 units each, not 1.46.
    expect(estimateCopy(input()).writeUnits).toBe(2000);
    // Exactly 1 KB: one unit; a byte more: two.
    expect(estimateCopy(input({ size: { items: 10, bytes: 10 * KB } })).writeUnits).toBe(10);
    expect(estimateCopy(input({ size: { items: 10, bytes: 10 * (KB + 1) } })).writeUnits).toBe(20);
    // Small items still take a whole unit each.
    expect(estimateCopy(input({ size: { items: 10, bytes: 10 * 50 } })).writeUnits).toBe(10);
  });

  it('secondary indexes: at most one more write per item and index', () => {
    expect(estimateCopy(input({ targetIndexes: 3 })).indexWriteUnitsAtMost).toBe(6000);
  });

  it('--schema-only or an empty table: nothing read or written, nothing spent', () => {
    for (const e of [
      estimateCopy(input({ copyItems: false })),
      estimateCopy(input({ size: { items: 0, bytes: 0 } })),
    ]) {
      expect([e.readUnits, e.writeUnits, e.cost.totalUsd, e.seconds]).toEqual([0, 0, 0, null]);
    }
  });
});

describe('cost at list prices', () => {
  const million = { items: 1_000_000, bytes: 1_000_000 * KB };

  it('on-demand: request units at the price per million', () => {
    const e = estimateCopy(input({ size: million }));
    // 1,000,000 KB / 4 KB = 250,000 units, halved: 125,000 RRU → $0.015625; 1,000,000 WRU → $0.625.
    expect(e.readUnits).toBe(125_000);
    expect(e.cost.reads.usd).toBeCloseTo(0.015625, 9);
    expect(e.cost.writes.usd).toBeCloseTo(0.625, 9);
    expect(e.cost.totalUsd).toBeCloseTo(0.640625, 9);
  });

  it('provisioned: the capacity-hours the units take', () => {
    const e = estimateCopy(
      input({
        size: million,
        source: { mode: 'provisioned', capacity: 1000 },
        target: { mode: 'provisioned', capacity: 1000 },
      }),
    );
    // 125,000 RCU-seconds = 34.7 RCU-hours × $0.00013; 1,000,000 WCU-seconds = 277.8 WCU-hours × $0.00065.
    expect(e.cost.reads).toMatchObject({ mode: 'provisioned', units: 125_000 });
    expect(e.cost.reads.usd).toBeCloseTo((125_000 / 3600) * 0.00013, 12);
    expect(e.cost.writes.usd).toBeCloseTo((1_000_000 / 3600) * 0.00065, 12);
  });

  it('transfer between regions is its own figure, outside the total', () => {
    const same = estimateCopy(input({ size: { items: 1, bytes: GB } }));
    expect(same.cost.transfer).toBeNull();
    const across = estimateCopy(input({ size: { items: 1, bytes: GB }, targetRegion: 'us-east-1' }));
    expect(across.cost.transfer).toEqual({ gigabytes: 1, usd: 0.02 });
    expect(across.cost.totalUsd).toBe(same.cost.totalUsd);
  });

  it('names the prices it used: us-east-1 list prices of a stated date', () => {
    const e = estimateCopy(input());
    expect(e.prices).toBe(PRICE_LIST);
    expect(PRICE_LIST).toMatchObject({
      region: 'us-east-1',
      onDemandReadPerMillion: 0.125,
      onDemandWritePerMillion: 0.625,
      provisionedReadPerUnitHour: 0.00013,
      provisionedWritePerUnitHour: 0.00065,
      interRegionTransferPerGb: 0.02,
    });
    expect(PRICE_LIST.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('least time', () => {
  it('the slower of the read and write bounds, and what sets it', () => {
    // 183.5 RCU at 10/s = 18.35 s; 2,000 WCU at 100/s = 20 s.
    const e = estimateCopy(input({ readRate: 10, writeRate: 100 }));
    expect(e.seconds).toBeCloseTo(20, 9);
    expect(e.limitedBy).toBe('write-rate');
    const reads = estimateCopy(input({ readRate: 5, writeRate: 100 }));
    expect(reads.seconds).toBeCloseTo(36.7, 9);
    expect(reads.limitedBy).toBe('read-rate');
  });

  it("a side's provisioned capacity or on-demand maximum bounds it when no rate is given", () => {
    expect(estimateCopy(input({ target: { mode: 'provisioned', capacity: 50 } }))).toMatchObject({
      seconds: 40,
      limitedBy: 'target-write-capacity',
    });
    expect(estimateCopy(input({ source: { mode: 'on-demand', onDemandMax: 10 } }))).toMatchObject({
      seconds: 18.35,
      limitedBy: 'source-on-demand-maximum',
    });
  });

  it('a rate above the capacity is throttled down to the capacity', () => {
    expect(
      estimateCopy(input({ writeRate: 500, target: { mode: 'provisioned', capacity: 50 } })),
    ).toMatchObject({
      seconds: 40,
      limitedBy: 'target-write-capacity',
    });
    expect(
      estimateCopy(input({ writeRate: 25, target: { mode: 'provisioned', capacity: 50 } })),
    ).toMatchObject({
      seconds: 80,
      limitedBy: 'write-rate',
    });
  });

  it('on-demand without rates: no bound is invented', () => {
    expect(estimateCopy(input())).toMatchObject({ seconds: null, limitedBy: null });
  });
});

describe('a set of tables', () => {
  const a = estimateCopy(input({ writeRate: 100 })); // 20 s
  const b = estimateCopy(input({ writeRate: 100, size: { items: 500, bytes: 500 * 1500 } })); // 10 s

  it('sums units and dollars', () => {
    const total = sumEstimates([a, b], { parallelTables: 4 });
    expect(total.items).toBe(1500);
    expect(total.writeUnits).toBe(3000);
    expect(total.cost.totalUsd).toBeCloseTo(a.cost.totalUsd + b.cost.totalUsd, 12);
  });

  it('time: the slowest table, the lanes, and a rate the whole set shares', () => {
    expect(sumEstimates([a, b], { parallelTables: 4 }).seconds).toBeCloseTo(20, 9);
    // One lane: one table after the other.
    expect(sumEstimates([a, b], { parallelTables: 1 }).seconds).toBeCloseTo(30, 9);
    // --write-rate 100 is shared by the set: 3,000 WCU take 30 s however many lanes.
    expect(sumEstimates([a, b], { parallelTables: 4, writeRate: 100 }).seconds).toBeCloseTo(30, 9);
    // A table with no bound makes the set's time unknown.
    expect(sumEstimates([a, estimateCopy(input())], { parallelTables: 4 }).seconds).toBeNull();
  });
});

describe('dollars as printed', () => {
  it('cents above a dollar, two significant digits below', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.641384)).toBe('$0.64');
    expect(formatUsd(0.001)).toBe('$0.0010');
    expect(formatUsd(0.00000123)).toBe('<$0.0001');
    expect(aboutUsd(0.641384)).toBe('~$0.64');
    expect(aboutUsd(0.00000123)).toBe('<$0.0001');
  });
});
