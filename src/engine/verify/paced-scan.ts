/**
 * Reads every segment of one side, a few segments at a time, each page paced by the side's read
 * pacer and counted in the stats. Pages go to a synchronous visitor, so nothing accumulates: memory is
 * a few pages per side whatever the table size.
 */
import type { Side } from '../../errors.js';
import type { Pacer } from '../../runtime/pacer.js';
import type { VerifyStats } from '../../runtime/verify-stats.js';
import type { Item, ScanFilter, Source } from '../../stores/types.js';
import type { ItemStage } from '../copy/item-stage.js';

export interface ScanSide {
  side: Side;
  store: Source;
  pacer: Pacer;
  scanLimit: number;
  readUnitsPerPage: number;
  /** The copy's filter: only matching items are compared (the source side of a filtered copy). */
  filter?: ScanFilter | undefined;
  /** The copy's masks and transform, applied before comparing: the target holds what they made. */
  stage?: ItemStage | undefined;
}

export interface ScanSettings {
  totalSegments: number;
  /** Segments scanned at the same time (the rest wait their turn). */
  scanConcurrency: number;
  consistentRead: boolean;
  stats: VerifyStats;
}

export type PageVisitor = (side: Side, items: readonly Item[]) => void;

/** Resolves once every segment is read; stops between pages when `signal` aborts, and rethrows store errors. */
export async function scanAllSegments(
  scan: ScanSide,
  settings: ScanSettings,
  visit: PageVisitor,
  signal: AbortSignal,
): Promise<void> {
  const pending = Array.from({ length: settings.totalSegments }, (_, segment) => segment);
  const worker = async (): Promise<void> => {
    for (let segment = pending.shift(); segment !== undefined; segment = pending.shift()) {
      if (signal.aborted) return;
      await scanSegment(scan, settings, segment, visit, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.scanConcurrency, pending.length) }, worker));
}

async function scanSegment(
  scan: ScanSide,
  settings: ScanSettings,
  segment: number,
  visit: PageVisitor,
  signal: AbortSignal,
): Promise<void> {
  const { stats } = settings;
  const pages = scan.store
    .scan({
      segment,
      totalSegments: settings.totalSegments,
      limit: scan.scanLimit,
      consistentRead: settings.consistentRead,
      ...(scan.filter ? { filter: scan.filter } : {}),
      signal,
    })
    [Symbol.asyncIterator]();
  for (;;) {
    await scan.pacer.take(scan.readUnitsPerPage, signal);
    const next = await pages.next();
    if (next.done) return;
    const page = next.value;
    if (page.consumedRead > 0) scan.pacer.settle(page.consumedRead - scan.readUnitsPerPage);
    stats.scanned[scan.side] += page.items.length;
    stats.itemsScanned += page.items.length;
    stats.consumedRead[scan.side] += page.consumedRead;
    visit(scan.side, scan.stage ? (await scan.stage.page(page.items, segment)).items : page.items);
    if (signal.aborted) return;
  }
}
