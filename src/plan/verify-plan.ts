/**
 * Pure: how a verify will scan, decided before it starts — segments, page sizes, rates per side, the
 * number of digest buckets and the drill-down's memory budget.
 */
import { InvalidOptionError, type Side } from '../errors.js';
import { keyAttributeNames } from '../model/key-schema.js';
import type { TableDescription, TableSnapshot } from '../model/table.js';
import { defaultSegments, scanPaging } from './copy-plan.js';
import type { RateSpec } from './option-values.js';

/** What planVerify reads of a verify's options: the runs' validated VerifyOptions are such options. */
export interface VerifyPlanOptions {
  /** Parallel scan segments per side; undefined: chosen from the larger table's size. */
  readonly segments: number | undefined;
  /** Cap on read capacity per second, applied to each side on its own. */
  readonly readRate: RateSpec | undefined;
  readonly consistentRead: boolean;
}

/** How one side of a verify is scanned: pages, their expected cost and the rate cap. */
export interface SideScanPlan {
  /** Scan `Limit`: items per page. */
  scanLimit: number;
  /** Read capacity one page is expected to cost, taken from the pacer before the request. */
  readUnitsPerPage: number;
  /** Capacity units per second; undefined means no cap. */
  readRate: number | undefined;
  /** What DescribeTable says the table holds (hours stale on AWS): sizing and progress only. */
  estimate: { items: number; bytes: number };
}

/**
 * What a verify will do, computed before it scans: segments, digest buckets and each side's paging;
 * `--dry-run` prints it.
 */
export interface VerifyPlan {
  /** The source's key attributes, hash key first: items of both sides are matched by these. */
  keyAttributes: string[];
  segments: number;
  /** Segments scanned at the same time on each side. */
  scanConcurrency: number;
  buckets: number;
  /** Keys the drill-down may hold at once; more mismatched items are drilled into in several passes. */
  maxDrillEntries: number;
  source: SideScanPlan;
  target: SideScanPlan;
}

const MAX_SCAN_CONCURRENCY = 8;
/** Fewer buckets than this would make each one's drill-down large even for a table of a few million items. */
export const MIN_BUCKETS = 4096;
/** 2^20 buckets take 20 MB per side (20 bytes each); more would buy little, as larger tables are drilled in passes anyway. */
export const MAX_BUCKETS = 1 << 20;
/** Items per bucket aimed for: a changed item then costs a drill-down of about this many keys. */
export const ITEMS_PER_BUCKET = 256;
/** About 100 MB of keys and hashes (key text, a 17-character entry and the Map's own overhead each). */
export const DEFAULT_MAX_DRILL_ENTRIES = 500_000;

export function planVerify(input: {
  source: TableSnapshot;
  target: TableSnapshot;
  options: VerifyPlanOptions;
}): VerifyPlan {
  const { options } = input;
  const tableBytes = (table: TableDescription): number => Math.max(0, table.TableSizeBytes ?? 0);
  const segments =
    options.segments ??
    defaultSegments(Math.max(tableBytes(input.source.table), tableBytes(input.target.table)));
  const source = sidePlan(input.source.table, 'source', options, segments);
  const target = sidePlan(input.target.table, 'target', options, segments);
  return {
    keyAttributes: keyAttributeNames(input.source.table),
    segments,
    scanConcurrency: Math.min(segments, MAX_SCAN_CONCURRENCY),
    buckets: chooseBucketCount(Math.max(source.estimate.items, target.estimate.items)),
    maxDrillEntries: DEFAULT_MAX_DRILL_ENTRIES,
    source,
    target,
  };
}

/**
 * The number of digest buckets (engine/verify/bucket-digest.ts): a power of two between MIN_BUCKETS
 * and MAX_BUCKETS giving about ITEMS_PER_BUCKET items each.
 */
export function chooseBucketCount(estimatedItems: number): number {
  let buckets = MIN_BUCKETS;
  while (buckets < MAX_BUCKETS && buckets * ITEMS_PER_BUCKET < estimatedItems) buckets *= 2;
  return buckets;
}

function sidePlan(
  table: TableDescription,
  side: Side,
  options: VerifyPlanOptions,
  segments: number,
): SideScanPlan {
  const items = Math.max(0, table.ItemCount ?? 0);
  const bytes = Math.max(0, table.TableSizeBytes ?? 0);
  // Pages sized as a copy sizes them (same item size estimate, same read units per page).
  const { scanLimit, readUnitsPerPage } = scanPaging(table, options.consistentRead, segments);
  return {
    scanLimit,
    readUnitsPerPage,
    readRate: resolveReadRate(options.readRate, side, table),
    estimate: { items, bytes },
  };
}

function resolveReadRate(
  spec: RateSpec | undefined,
  side: Side,
  table: TableDescription,
): number | undefined {
  if (!spec) return undefined;
  if (spec.kind === 'units') return spec.units;
  const onDemand = table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST';
  const provisioned = onDemand ? undefined : table.ProvisionedThroughput?.ReadCapacityUnits;
  const onDemandMax = table.OnDemandThroughput?.MaxReadRequestUnits;
  const base =
    provisioned && provisioned > 0 ? provisioned : onDemandMax && onDemandMax > 0 ? onDemandMax : undefined;
  if (base === undefined) {
    throw new InvalidOptionError(
      `--read-rate ${spec.percent}% needs the ${side} table's read capacity, but it is on-demand with no maximum set.`,
      { side, hint: 'Give an absolute rate instead, e.g. --read-rate 1000 (capacity units per second).' },
    );
  }
  return (base * spec.percent) / 100;
}
