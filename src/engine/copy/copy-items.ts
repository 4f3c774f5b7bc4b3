import { setMaxListeners } from 'node:events';
import { RetryBudgetExhaustedError } from '../../errors.js';
import { checkItem, keyOf } from '../../model/item-check.js';
import { itemSize } from '../../model/item-size.js';
import { BoundedQueue } from '../../runtime/bounded-queue.js';
import type { Pacer } from '../../runtime/pacer.js';
import { sleep } from '../../runtime/retry.js';
import type { Slots } from '../../runtime/slots.js';
import type { CopyStats } from '../../runtime/stats.js';
import {
  type Item,
  type Key,
  type Page,
  type ScanFilter,
  type Sink,
  type Source,
  type TextItem,
  type TextPage,
  textItemKey,
} from '../../stores/types.js';
import { batchItems, batchTextItems } from './batcher.js';
import type { ItemStage } from './item-stage.js';
import { type BatchTicket, SegmentProgress, type SegmentState } from './segment-progress.js';

/** What copying items needs: both ends, the plan's numbers, the shared pacers and counters. */
export interface CopyItemsInput {
  source: Source;
  sink: Sink;
  keyAttributes: readonly string[];
  /** The type (S, N or B) of each key attribute: items from sources without `validItems` are checked. */
  keyTypes?: Readonly<Record<string, 'S' | 'N' | 'B'>>;
  totalSegments: number;
  /** Segments scanned at the same time (the rest wait their turn). */
  scanConcurrency: number;
  /** BatchWriteItem requests in flight. */
  writeConcurrency: number;
  /** Scan `Limit`: items per page. */
  scanLimit: number | undefined;
  consistentRead: boolean;
  /** Read capacity one Scan page is expected to cost, charged to the read pacer before the request. */
  readUnitsPerPage: number;
  readPacer: Pacer;
  writePacer: Pacer;
  /** A budget of BatchWriteItem requests in flight shared with other copies (many tables at once). */
  writeSlots?: Slots | undefined;
  stats: CopyStats;
  /** The segments this run copies (default: all); a worker thread gets its share. */
  segmentsToCopy?: readonly number[];
  /** Segment states from a checkpoint: done segments are skipped, the others resume after their key. */
  resumeFrom?: readonly SegmentState[];
  /** Called whenever a segment's resume point moves (after the target acknowledged the pages). */
  onProgress?: (states: SegmentProgress) => void;
  /** The pause before a segment whose scan ran out of retries starts again (default 30 s). */
  segmentRestartPauseMs?: number;
  /** Something the user should know that does not stop the copy (a segment restarted). */
  onWarning?: (message: string) => void;
  /** Only items matching this are scanned out of the source (a Scan FilterExpression). */
  filter?: ScanFilter | undefined;
  /** What happens to the items between scan and write (masks, a transform); absent: nothing. */
  stage?: ItemStage | undefined;
  /** Stops scanning; batches already sent are finished; the result says `interrupted`. */
  signal?: AbortSignal;
}

export interface CopyItemsResult {
  status: 'completed' | 'interrupted';
  segments: SegmentState[];
}

/** Items waiting for a writer, in DynamoDB item bytes: bounds memory when items are large. */
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** Times a segment's scan may start again after its request retry budget ran out, and the pause before. */
const SEGMENT_RESTARTS = 2;
const SEGMENT_RESTART_PAUSE_MS = 30_000;

/** One batch for a writer: items as objects, or as text (a copy that changes nothing). */
interface WriteUnit {
  items?: Item[];
  texts?: TextItem[];
  count: number;
  bytes: number;
  writeUnits: number;
  ticket: BatchTicket;
}

/**
 * Copies every item: scanners read segments page by page and queue batches; writers put them.
 *
 * The queue is bounded, so scanning runs ahead of writing by at most a few pages. A fatal error from
 * any worker stops them all and is rethrown; a cancelled `signal` stops scanning and writing at once:
 * the requests already sent finish, queued batches are dropped, and it resolves `interrupted`. Either
 * way the segment states say exactly where to resume.
 */
export async function copyItems(input: CopyItemsInput): Promise<CopyItemsResult> {
  const progress = new SegmentProgress(input.totalSegments, input.resumeFrom);
  const queue = new BoundedQueue<WriteUnit>(
    Math.max(2, input.writeConcurrency * 2),
    MAX_QUEUED_BYTES,
    (unit) => unit.bytes,
  );
  // Aborted on the first failure so every worker stops; the user's signal only stops scanning.
  const failure = new AbortController();
  const stopScanning = AbortSignal.any([failure.signal, ...(input.signal ? [input.signal] : [])]);
  // Every worker's pending request and back-off sleep listens to these; that is not a leak.
  setMaxListeners(0, failure.signal, stopScanning);
  let firstError: unknown;
  const fail = (error: unknown): void => {
    if (firstError === undefined) firstError = error;
    failure.abort(error);
    queue.discard();
  };

  const mine = input.segmentsToCopy ?? Array.from({ length: input.totalSegments }, (_, segment) => segment);
  const pending = mine.filter((segment) => !progress.state(segment).done);
  const scanner = async (): Promise<void> => {
    for (let segment = pending.shift(); segment !== undefined; segment = pending.shift()) {
      if (stopScanning.aborted) return;
      await scanSegment(input, segment, progress, queue, stopScanning);
    }
  };
  // Ctrl-C: no more batches are taken; the requests already sent finish, and the checkpoint keeps
  // what they acknowledged. Batches still queued are dropped: their pages are scanned again on resume.
  const stopWriting = (): void => queue.discard();
  input.signal?.addEventListener('abort', stopWriting, { once: true });
  if (input.signal?.aborted) stopWriting();
  const writer = async (): Promise<void> => {
    for (let unit = await queue.pop(); unit !== undefined; unit = await queue.pop()) {
      if (input.signal?.aborted) return;
      try {
        await writeUnit(input, unit, progress, failure.signal, stopScanning);
      } catch (error) {
        // Only a wait for rate or a request slot ends on the user's signal: nothing was sent.
        if (input.signal?.aborted && !failure.signal.aborted) return;
        throw error;
      }
    }
  };

  const scanners = Promise.all(
    Array.from({ length: Math.min(input.scanConcurrency, Math.max(1, pending.length)) }, () =>
      scanner().catch((error) => {
        if (!stopScanning.aborted) fail(error);
      }),
    ),
  ).then(() => queue.close());
  const writers = Array.from({ length: input.writeConcurrency }, () => writer().catch(fail));
  await Promise.all([scanners, ...writers]);
  input.signal?.removeEventListener('abort', stopWriting);

  if (firstError !== undefined) throw firstError;
  const segments = progress.snapshot();
  return { status: mine.every((segment) => segments[segment]!.done) ? 'completed' : 'interrupted', segments };
}

async function scanSegment(
  input: CopyItemsInput,
  segment: number,
  progress: SegmentProgress,
  queue: BoundedQueue<WriteUnit>,
  signal: AbortSignal,
): Promise<void> {
  const { readPacer, source } = input;
  const asText = readsAsText(input);
  const open = (startKey: Key | undefined): AsyncIterator<Page | TextPage> => {
    const options = {
      segment,
      totalSegments: input.totalSegments,
      startKey,
      limit: input.scanLimit,
      consistentRead: input.consistentRead,
      ...(input.filter ? { filter: input.filter } : {}),
      signal,
    };
    const pages =
      asText && source.scanText ? source.scanText(options, input.keyAttributes) : source.scan(options);
    return pages[Symbol.asyncIterator]();
  };
  // Where the next page starts; a segment whose Scan ran out of retries starts again from here.
  let position = progress.state(segment).startKey;
  let pages = open(position);
  let restarts = 0;
  for (;;) {
    // Fetch the next page only when the writers can take it: scanners wait here holding no page.
    await queue.roomForMore();
    await readPacer.take(input.readUnitsPerPage, signal);
    let next: IteratorResult<Page | TextPage> | undefined;
    try {
      next = await pages.next();
    } catch (error) {
      if (!(error instanceof RetryBudgetExhaustedError) || restarts >= SEGMENT_RESTARTS || signal.aborted)
        throw error;
      restarts += 1;
      const pause = input.segmentRestartPauseMs ?? SEGMENT_RESTART_PAUSE_MS;
      input.onWarning?.(
        `Scan of segment ${segment} kept failing (${error.message}); restarting it in ${pause / 1000} s (${restarts}/${SEGMENT_RESTARTS}).`,
      );
      await sleep(pause, signal);
      pages = open(position);
      continue;
    }
    if (next.done) return;
    position = next.value.lastKey;
    const queued = await queuePage(input, segment, next.value, progress, queue);
    // An async function keeps a variable's value until it is overwritten: let go of the page before
    // waiting for room and for the next one, so that a waiting scanner holds no items.
    next = undefined;
    if (!queued || signal.aborted) return;
  }
}

/**
 * True when items can go from source to sink as text, never parsed (model/text-item.ts): nothing
 * changes them (no stage), nothing needs to check them (the source's items are DynamoDB's own), and
 * both stores speak text.
 */
function readsAsText(input: CopyItemsInput): boolean {
  return (
    input.stage === undefined &&
    input.source.capabilities.validItems &&
    input.source.scanText !== undefined &&
    input.sink.writeTexts !== undefined
  );
}

/** Cuts a scanned page into batches and queues them; false when the queue was closed meanwhile. */
async function queuePage(
  input: CopyItemsInput,
  segment: number,
  page: Page | TextPage,
  progress: SegmentProgress,
  queue: BoundedQueue<WriteUnit>,
): Promise<boolean> {
  const { stats, readPacer } = input;
  const texts = 'texts' in page ? page.texts : undefined;
  const scannedItems = texts ?? (page as Page).items;
  if (page.consumedRead > 0) readPacer.settle(page.consumedRead - input.readUnitsPerPage);
  stats.pagesScanned += 1;
  stats.itemsScanned += page.scanned ?? scannedItems.length;
  stats.consumedRead += page.consumedRead;

  const units = texts ? textUnits(texts, input.keyAttributes) : await itemUnits(input, segment, page as Page);
  const tickets = progress.addPage(
    segment,
    page.lastKey,
    units.map((unit) => ({ items: unit.count, lastItemKey: unit.lastSourceKey })),
  );
  if (units.length === 0) input.onProgress?.(progress);
  for (let b = 0; b < units.length; b++) {
    const { lastSourceKey: _, ...unit } = units[b]!;
    if (!(await queue.push({ ...unit, ticket: tickets[b]! }))) return false;
  }
  return true;
}

/** A batch ready for the queue, with the source key a resumed Scan continues after. */
type PageUnit = Omit<WriteUnit, 'ticket'> & { lastSourceKey: Key };

/** A page's items, through the stage (masks, a transform), checked and cut into batches. */
async function itemUnits(input: CopyItemsInput, segment: number, page: Page): Promise<PageUnit[]> {
  // Items a stage changed are checked again: a mask or a transform can make an item too big or its key wrong.
  const check = !input.source.capabilities.validItems || input.stage !== undefined;
  const staged = input.stage ? await input.stage.page(page.items, segment) : undefined;
  const batches = batchItems(staged?.items ?? page.items, input.keyAttributes);
  let end = 0;
  return batches.map((items) => {
    end += items.length;
    let bytes = 0;
    let writeUnits = 0;
    for (const item of items) {
      const size = itemSize(item);
      if (check) checkItem(item, input.keyAttributes, input.keyTypes, size);
      bytes += size;
      writeUnits += writeUnitsOf(size);
    }
    // Where a resumed Scan continues: the source's key, whatever the stage made of it.
    const lastSourceKey = staged
      ? staged.sourceKeys[end - 1]!
      : keyOf(items[items.length - 1]!, input.keyAttributes);
    return { items, count: items.length, bytes, writeUnits, lastSourceKey };
  });
}

/** A text page's items cut into batches: sizes and keys were found when the page was read. */
function textUnits(texts: readonly TextItem[], keyAttributes: readonly string[]): PageUnit[] {
  return batchTextItems(texts).map((batch) => {
    let bytes = 0;
    let writeUnits = 0;
    for (const item of batch) {
      bytes += item.size;
      writeUnits += writeUnitsOf(item.size);
    }
    const lastSourceKey = textItemKey(batch[batch.length - 1]!, keyAttributes);
    return { texts: batch, count: batch.length, bytes, writeUnits, lastSourceKey };
  });
}

/** BatchWriteItem: 1 WCU per item per started KB. */
function writeUnitsOf(size: number): number {
  return Math.ceil(size / 1024) || 1;
}

/**
 * Writes one batch. `signal` (a failure elsewhere) also cancels the request; `waitSignal` (that, or the
 * user's Ctrl-C) only cancels the waits before it: a request once sent is let finish.
 */
async function writeUnit(
  input: CopyItemsInput,
  unit: WriteUnit,
  progress: SegmentProgress,
  signal: AbortSignal,
  waitSignal: AbortSignal,
): Promise<void> {
  const { stats, writePacer } = input;
  await writePacer.take(unit.writeUnits, waitSignal);
  // A unit holds one page's batch, so one segment's items: the export groups its files by it.
  const { sink } = input;
  // Text units exist only when the sink writes text (readsAsText).
  const write = () =>
    unit.texts
      ? sink.writeTexts!(unit.texts, signal, unit.ticket.segment)
      : sink.writeBatch(unit.items!, signal, unit.ticket.segment);
  const result = await (input.writeSlots ? input.writeSlots.with(write, waitSignal) : write());
  if (result.consumedWrite > 0) writePacer.settle(result.consumedWrite - unit.writeUnits);
  if (result.throttled) writePacer.throttled();
  stats.itemsWritten += unit.count;
  stats.bytesWritten += unit.bytes;
  stats.consumedWrite += result.consumedWrite;
  if (progress.acknowledge(unit.ticket)) input.onProgress?.(progress);
}
