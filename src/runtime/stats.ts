/**
 * The run's counters. The engine and the stores add to them; renderers read them on their own
 * schedule, so accounting costs a few additions per batch and nothing per frame.
 */
export interface RetryCounts {
  unprocessedItems: number;
  throttled: number;
  errors: number;
  expiredCredentials: number;
}

/** The counters of a copy (and of an export or an import); events hand them to a renderer to read. */
export class CopyStats {
  itemsScanned = 0;
  itemsWritten = 0;
  /** DynamoDB item size (attribute names + values) of the written items. */
  bytesWritten = 0;
  pagesScanned = 0;
  consumedRead = 0;
  consumedWrite = 0;
  readonly retries: RetryCounts = { unprocessedItems: 0, throttled: 0, errors: 0, expiredCredentials: 0 };
  /** What this run expects to write (approximate on AWS: DescribeTable lags by hours). */
  expectedItems = 0;
  expectedBytes = 0;
  /** Written by earlier runs of the same checkpoint (a resumed run): progress counts them as done. */
  itemsBefore = 0;
  bytesBefore = 0;
  /** The caps in capacity units per second (--read-rate, --write-rate), once resolved; undefined: none. */
  readRateCap: number | undefined;
  writeRateCap: number | undefined;
  private readonly startedAt = performance.now();

  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Adds retries counted elsewhere (a worker thread's, a store's) to this run's. */
  addRetries(counts: Partial<RetryCounts>): void {
    this.retries.unprocessedItems += counts.unprocessedItems ?? 0;
    this.retries.throttled += counts.throttled ?? 0;
    this.retries.errors += counts.errors ?? 0;
    this.retries.expiredCredentials += counts.expiredCredentials ?? 0;
  }
}

/** A point-in-time view for renderers: rates and ETA derived from the counters. */
export interface ProgressSnapshot {
  /** Written by this run. */
  itemsWritten: number;
  bytesWritten: number;
  itemsScanned: number;
  /** Expected to be written by this run. */
  expectedItems: number;
  expectedBytes: number;
  /** Written by earlier runs of a resumed one. */
  itemsBefore: number;
  /** Done in all: earlier runs and this one; `totalItems` is what all of them should end with. */
  itemsDone: number;
  totalItems: number;
  bytesDone: number;
  elapsedMs: number;
  /** Averages over this run. */
  itemsPerSecond: number;
  bytesPerSecond: number;
  readUnitsPerSecond: number;
  writeUnitsPerSecond: number;
  /** Capacity consumed so far by this run. */
  consumedRead: number;
  consumedWrite: number;
  readRateCap: number | undefined;
  writeRateCap: number | undefined;
  /** Undefined while there is no rate or no estimate to go by. */
  etaMs: number | undefined;
  retries: RetryCounts;
}

/** The snapshot of a copy's counters now. */
export function progressSnapshot(stats: CopyStats): ProgressSnapshot {
  const elapsedMs = stats.elapsedMs;
  const seconds = elapsedMs / 1000;
  const perSecond = (value: number): number => (seconds > 0 ? value / seconds : 0);
  const itemsPerSecond = perSecond(stats.itemsWritten);
  const remaining = stats.expectedItems - stats.itemsWritten;
  const etaMs = itemsPerSecond > 0 && remaining > 0 ? (remaining / itemsPerSecond) * 1000 : undefined;
  return {
    itemsWritten: stats.itemsWritten,
    bytesWritten: stats.bytesWritten,
    itemsScanned: stats.itemsScanned,
    expectedItems: stats.expectedItems,
    expectedBytes: stats.expectedBytes,
    itemsBefore: stats.itemsBefore,
    itemsDone: stats.itemsBefore + stats.itemsWritten,
    // ItemCount lags on AWS: the total grows rather than show more done than expected.
    totalItems: stats.itemsBefore + Math.max(stats.expectedItems, stats.itemsWritten),
    bytesDone: stats.bytesBefore + stats.bytesWritten,
    elapsedMs,
    itemsPerSecond,
    bytesPerSecond: perSecond(stats.bytesWritten),
    readUnitsPerSecond: perSecond(stats.consumedRead),
    writeUnitsPerSecond: perSecond(stats.consumedWrite),
    consumedRead: stats.consumedRead,
    consumedWrite: stats.consumedWrite,
    readRateCap: stats.readRateCap,
    writeRateCap: stats.writeRateCap,
    etaMs,
    retries: { ...stats.retries },
  };
}

/** Counters a rate is measured over: a progress display shows what happens now, not the run's average. */
export interface RateSample {
  atMs: number;
  items: number;
  consumedRead: number;
  consumedWrite: number;
}

/** Recent rates: items, RCU and WCU per second between two samples of the counters. */
export interface RecentRates {
  itemsPerSecond: number;
  readUnitsPerSecond: number;
  writeUnitsPerSecond: number;
}

/** The counters now, to measure recent rates against a later sample (`ratesBetween`). */
export function rateSample(stats: CopyStats): RateSample {
  return {
    atMs: stats.elapsedMs,
    items: stats.itemsWritten,
    consumedRead: stats.consumedRead,
    consumedWrite: stats.consumedWrite,
  };
}

/** The rates between an earlier sample and a later one (0 when no time passed). */
export function ratesBetween(earlier: RateSample, later: RateSample): RecentRates {
  const seconds = (later.atMs - earlier.atMs) / 1000;
  const per = (a: number, b: number): number => (seconds > 0 ? Math.max(0, b - a) / seconds : 0);
  return {
    itemsPerSecond: per(earlier.items, later.items),
    readUnitsPerSecond: per(earlier.consumedRead, later.consumedRead),
    writeUnitsPerSecond: per(earlier.consumedWrite, later.consumedWrite),
  };
}
