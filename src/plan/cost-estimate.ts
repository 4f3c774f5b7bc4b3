/**
 * What a copy will consume and cost, from the sizes DescribeTable reports, before anything is done:
 * `--dry-run` prints it. Pure arithmetic on the plan's figures; every number is an estimate.
 */

/** What DescribeTable says a table holds (approximate on AWS: refreshed about every six hours). */
export interface SizeEstimate {
  items: number;
  bytes: number;
}

/** A side's billing as the estimate sees it: what a capacity unit costs, and what bounds the copy's pace. */
export interface SideBilling {
  mode: 'on-demand' | 'provisioned';
  /** Provisioned capacity units per second (provisioned mode). */
  capacity?: number | undefined;
  /** The on-demand table's maximum request units per second, when one is set. */
  onDemandMax?: number | undefined;
}

/** What the estimate is computed from: the plan's figures for one copy. */
export interface CopyEstimateInput {
  size: SizeEstimate;
  /** False for --schema-only: nothing is read or written. */
  copyItems: boolean;
  consistentRead: boolean;
  /** The source's read billing and the target's write billing. */
  source: SideBilling;
  target: SideBilling;
  /** --read-rate / --write-rate as capacity units per second, when given. */
  readRate: number | undefined;
  writeRate: number | undefined;
  /** Secondary indexes (global and local) on the target: each may take a write per item. */
  targetIndexes: number;
  sourceRegion: string | undefined;
  targetRegion: string | undefined;
}

/** What bounds the copy's time: the rate flags, a side's provisioned capacity or on-demand maximum. */
export type DurationBound =
  | 'read-rate'
  | 'write-rate'
  | 'source-read-capacity'
  | 'target-write-capacity'
  | 'source-on-demand-maximum'
  | 'target-on-demand-maximum';

/** The dollar cost of one kind of request, by the side's billing mode. */
export interface UnitCost {
  /** `mixed`: a set's total over tables billed both ways. */
  mode: 'on-demand' | 'provisioned' | 'mixed';
  units: number;
  usd: number;
}

/** The estimate of one copy (or, summed, of a set): sizes, capacity units, time and cost. */
export interface CopyEstimate extends SizeEstimate {
  /** bytes / items; the write units assume every item has this size. */
  averageItemBytes: number;
  /** Whether the scan reads strongly consistent (a full unit per 4 KB instead of half). */
  consistentRead: boolean;
  /** Read units the scan consumes: the bytes in 4 KB units, half a unit each unless --consistent-read. */
  readUnits: number;
  /** Write units: per item, its size in 1 KB units rounded up (from the average size: approximate). */
  writeUnits: number;
  /** Extra write units if every item lands in every secondary index of the target (an upper bound). */
  indexWriteUnitsAtMost: number;
  /**
   * The least time the copy can take under its capacity bounds, in seconds; null when no side is
   * bounded (on-demand without rates): then this machine and the tables' throughput set the pace.
   */
  seconds: number | null;
  /** What sets `seconds`, when it is not null. */
  limitedBy: DurationBound | null;
  cost: {
    reads: UnitCost;
    writes: UnitCost;
    /** Reads plus writes, in USD; data transfer, index writes, storage, streams and backups excluded. */
    totalUsd: number;
    /** What the index writes add at most, in USD. */
    indexWritesUsdAtMost: number;
    /** Data transfer between the sides' regions (separate from the total); null within one region. */
    transfer: { gigabytes: number; usd: number } | null;
  };
  /** The price list used. */
  prices: PriceList;
}

/** List prices in USD for one region at one date: the only prices the estimates use. */
export interface PriceList {
  region: string;
  /** The date these were the list prices (the on-demand ones since AWS's cut of 2024-11-01). */
  asOf: string;
  onDemandReadPerMillion: number;
  onDemandWritePerMillion: number;
  provisionedReadPerUnitHour: number;
  provisionedWritePerUnitHour: number;
  /** Data transfer between two AWS regions, per GB (out of the source's region). */
  interRegionTransferPerGb: number;
}

/**
 * DynamoDB's public list prices (Standard table class) in us-east-1, checked 2026-12-01: on-demand
 * request units since the price cut of 2024-11-01, provisioned capacity per unit-hour, and
 * inter-region transfer. Other regions cost more or less; these are the ones printed beside every
 * estimate.
 */
export const PRICE_LIST: PriceList = Object.freeze({
  region: 'us-east-1',
  asOf: '2026-12-01',
  onDemandReadPerMillion: 0.125,
  onDemandWritePerMillion: 0.625,
  provisionedReadPerUnitHour: 0.00013,
  provisionedWritePerUnitHour: 0.00065,
  interRegionTransferPerGb: 0.02,
});

/** One read unit reads 4 KB of a Scan page, strongly consistent; eventually consistent costs half. */
const READ_UNIT_BYTES = 4096;
/** One write unit writes an item of up to 1 KB; a bigger item takes one unit per KB, rounded up. */
const WRITE_UNIT_BYTES = 1024;
const SECONDS_PER_HOUR = 3600;
const GIGABYTE = 1024 ** 3;

/** Pure: capacity units, the least time and the cost of copying a table of this size. */
export function estimateCopy(input: CopyEstimateInput, prices: PriceList = PRICE_LIST): CopyEstimate {
  const items = Math.max(0, input.size.items);
  const bytes = Math.max(0, input.size.bytes);
  const averageItemBytes = items > 0 ? bytes / items : 0;
  const copies = input.copyItems && items > 0;
  // A Scan is charged by the bytes of each page, not per item: the table's bytes in 4 KB units.
  const readUnits = copies ? Math.ceil(bytes / READ_UNIT_BYTES) * (input.consistentRead ? 1 : 0.5) : 0;
  // A write is charged per item, rounded up to the next KB.
  const writeUnits = copies ? items * Math.max(1, Math.ceil(averageItemBytes / WRITE_UNIT_BYTES)) : 0;
  const indexWriteUnitsAtMost = writeUnits * Math.max(0, input.targetIndexes);

  const bounds: { seconds: number; by: DurationBound }[] = [];
  const readBound = paceOf(
    input.readRate,
    input.source,
    'read-rate',
    'source-read-capacity',
    'source-on-demand-maximum',
  );
  const writeBound = paceOf(
    input.writeRate,
    input.target,
    'write-rate',
    'target-write-capacity',
    'target-on-demand-maximum',
  );
  if (readBound && readUnits > 0)
    bounds.push({ seconds: readUnits / readBound.unitsPerSecond, by: readBound.by });
  if (writeBound && writeUnits > 0)
    bounds.push({ seconds: writeUnits / writeBound.unitsPerSecond, by: writeBound.by });
  const slowest = bounds.reduce<(typeof bounds)[number] | undefined>(
    (worst, bound) => (worst === undefined || bound.seconds > worst.seconds ? bound : worst),
    undefined,
  );

  const reads = unitCost(
    readUnits,
    input.source.mode,
    prices.onDemandReadPerMillion,
    prices.provisionedReadPerUnitHour,
  );
  const writes = unitCost(
    writeUnits,
    input.target.mode,
    prices.onDemandWritePerMillion,
    prices.provisionedWritePerUnitHour,
  );
  const indexWrites = unitCost(
    indexWriteUnitsAtMost,
    input.target.mode,
    prices.onDemandWritePerMillion,
    prices.provisionedWritePerUnitHour,
  );
  const crossRegion =
    input.sourceRegion !== undefined &&
    input.targetRegion !== undefined &&
    input.sourceRegion !== input.targetRegion;
  const gigabytes = copies ? bytes / GIGABYTE : 0;
  return {
    items,
    bytes,
    averageItemBytes,
    consistentRead: input.consistentRead,
    readUnits,
    writeUnits,
    indexWriteUnitsAtMost,
    seconds: slowest ? slowest.seconds : null,
    limitedBy: slowest ? slowest.by : null,
    cost: {
      reads,
      writes,
      totalUsd: reads.usd + writes.usd,
      indexWritesUsdAtMost: indexWrites.usd,
      transfer: crossRegion ? { gigabytes, usd: gigabytes * prices.interRegionTransferPerGb } : null,
    },
    prices,
  };
}

/**
 * The units per second a side can take: the lowest of its rate flag, its provisioned capacity and its
 * on-demand maximum (a rate above the capacity is throttled down to it); none for on-demand without
 * a rate or a maximum (it scales as the traffic grows).
 */
function paceOf(
  rate: number | undefined,
  billing: SideBilling,
  rateBound: DurationBound,
  capacityBound: DurationBound,
  maximumBound: DurationBound,
): { unitsPerSecond: number; by: DurationBound } | undefined {
  const limit =
    billing.mode === 'provisioned'
      ? { unitsPerSecond: billing.capacity, by: capacityBound }
      : { unitsPerSecond: billing.onDemandMax, by: maximumBound };
  const candidates = [{ unitsPerSecond: rate, by: rateBound }, limit].filter(
    (c): c is { unitsPerSecond: number; by: DurationBound } =>
      c.unitsPerSecond !== undefined && c.unitsPerSecond > 0,
  );
  return candidates.reduce<(typeof candidates)[number] | undefined>(
    (lowest, c) => (lowest === undefined || c.unitsPerSecond < lowest.unitsPerSecond ? c : lowest),
    undefined,
  );
}

/**
 * On-demand: request units at the price per million. Provisioned: the capacity-hours the units
 * occupy (units / 3,600 at the hourly price), which is what the copy takes of capacity billed by the
 * hour whether it is used or not.
 */
function unitCost(
  units: number,
  mode: SideBilling['mode'],
  perMillion: number,
  perUnitHour: number,
): UnitCost {
  const usd =
    mode === 'on-demand' ? (units / 1_000_000) * perMillion : (units / SECONDS_PER_HOUR) * perUnitHour;
  return { mode, units, usd };
}

/** How the tables of a set share the run: lanes side by side, and absolute rates over the whole set. */
export interface SetPace {
  parallelTables: number;
  /** --read-rate / --write-rate in units per second, shared by every table of the set (absolute only). */
  readRate?: number | undefined;
  writeRate?: number | undefined;
}

/**
 * The estimates of a set of tables added up: units and dollars sum. The least time is the longest of
 * three bounds: the slowest table alone, the tables' times spread over the lanes that run side by
 * side, and the set's units under a shared absolute rate. Null when a table that copies items is
 * unbounded (its pace is the machine's).
 */
export function sumEstimates(
  estimates: readonly CopyEstimate[],
  pace: SetPace,
  prices: PriceList = PRICE_LIST,
): CopyEstimate {
  const sum = (pick: (e: CopyEstimate) => number): number => estimates.reduce((t, e) => t + pick(e), 0);
  const items = sum((e) => e.items);
  const bytes = sum((e) => e.bytes);
  const readUnits = sum((e) => e.readUnits);
  const writeUnits = sum((e) => e.writeUnits);
  const unbounded = estimates.some((e) => e.seconds === null && e.readUnits + e.writeUnits > 0);
  const bounds: { seconds: number; by: DurationBound }[] = [];
  for (const e of estimates)
    if (e.seconds !== null && e.limitedBy) bounds.push({ seconds: e.seconds, by: e.limitedBy });
  const slowest = bounds.reduce<(typeof bounds)[number] | undefined>(
    (worst, b) => (worst === undefined || b.seconds > worst.seconds ? b : worst),
    undefined,
  );
  if (slowest) {
    const spread = sum((e) => e.seconds ?? 0) / Math.max(1, pace.parallelTables);
    if (spread > slowest.seconds) bounds.push({ seconds: spread, by: slowest.by });
  }
  if (pace.readRate) bounds.push({ seconds: readUnits / pace.readRate, by: 'read-rate' });
  if (pace.writeRate) bounds.push({ seconds: writeUnits / pace.writeRate, by: 'write-rate' });
  const longest = bounds.reduce<(typeof bounds)[number] | undefined>(
    (worst, b) => (worst === undefined || b.seconds > worst.seconds ? b : worst),
    undefined,
  );
  const modeOf = (modes: UnitCost['mode'][]): UnitCost['mode'] =>
    modes.every((m) => m === modes[0]) && modes[0] !== undefined ? modes[0] : 'mixed';
  const transfers = estimates.flatMap((e) => (e.cost.transfer ? [e.cost.transfer] : []));
  return {
    items,
    bytes,
    averageItemBytes: items > 0 ? bytes / items : 0,
    consistentRead: estimates.some((e) => e.consistentRead),
    readUnits,
    writeUnits,
    indexWriteUnitsAtMost: sum((e) => e.indexWriteUnitsAtMost),
    seconds: unbounded || !longest ? null : longest.seconds,
    limitedBy: unbounded || !longest ? null : longest.by,
    cost: {
      reads: {
        mode: modeOf(estimates.map((e) => e.cost.reads.mode)),
        units: readUnits,
        usd: sum((e) => e.cost.reads.usd),
      },
      writes: {
        mode: modeOf(estimates.map((e) => e.cost.writes.mode)),
        units: writeUnits,
        usd: sum((e) => e.cost.writes.usd),
      },
      totalUsd: sum((e) => e.cost.totalUsd),
      indexWritesUsdAtMost: sum((e) => e.cost.indexWritesUsdAtMost),
      transfer: transfers.length
        ? {
            gigabytes: transfers.reduce((t, x) => t + x.gigabytes, 0),
            usd: transfers.reduce((t, x) => t + x.usd, 0),
          }
        : null,
    },
    prices,
  };
}
