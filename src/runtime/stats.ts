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
  /** What the source said it holds (approximate on AWS: DescribeTable lags by hours). */
  expectedItems = 0;
  expectedBytes = 0;
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
  itemsWritten: number;
  bytesWritten: number;
  itemsScanned: number;
  expectedItems: number;
  expectedBytes: number;
  elapsedMs: number;
  itemsPerSecond: number;
  bytesPerSecond: number;
  /** Undefined while there is no rate or no estimate to go by. */
  etaMs: number | undefined;
  retries: RetryCounts;
}

/** The snapshot of a copy's counters now. */
export function progressSnapshot(stats: CopyStats): ProgressSnapshot {
  const elapsedMs = stats.elapsedMs;
  const seconds = elapsedMs / 1000;
  const itemsPerSecond = seconds > 0 ? stats.itemsWritten / seconds : 0;
  const bytesPerSecond = seconds > 0 ? stats.bytesWritten / seconds : 0;
  const remaining = stats.expectedItems - stats.itemsWritten;
  const etaMs = itemsPerSecond > 0 && remaining > 0 ? (remaining / itemsPerSecond) * 1000 : undefined;
  return {
    itemsWritten: stats.itemsWritten,
    bytesWritten: stats.bytesWritten,
    itemsScanned: stats.itemsScanned,
    expectedItems: stats.expectedItems,
    expectedBytes: stats.expectedBytes,
    elapsedMs,
    itemsPerSecond,
    bytesPerSecond,
    etaMs,
    retries: { ...stats.retries },
  };
}
