import { setMaxListeners } from 'node:events';
import { RetryBudgetExhaustedError } from '../../errors.js';
import { checkItem, keyOf } from '../../model/item-check.js';
import { itemSize } from '../../model/item-size.js';
import { BoundedQueue } from '../../runtime/bounded-queue.js';
import type { Pacer } from '../../runtime/pacer.js';
import { sleep } from '../../runtime/retry.js';
import type { Slots } from '../../runtime/slots.js';
import type { CopyStats } from '../../runtime/stats.js';
import type { Item, Key, Page, ScanFilter, Sink, Source } from '../../stores/types.js';
import { batchItems } from './batcher.js';
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

interface WriteUnit {
  items: Item[];
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
  const { readPacer } = input;
  const open = (startKey: Key | undefined): AsyncIterator<Page> =>
    input.source
      .scan({
        segment,
        totalSegments: input.totalSegments,
        startKey,
        limit: input.scanLimit,
        consistentRead: input.consistentRead,
        ...(input.filter ? { filter: input.filter } : {}),
        signal,
      })
      [Symbol.asyncIterator]();
  // Where the next page starts; a segment whose Scan ran out of retries starts again from here.
  let position = progress.state(segment).startKey;
  let pages = open(position);
  let restarts = 0;
  for (;;) {
    // Fetch the next page only when the writers can take it: scanners wait here holding no page.
    await queue.roomForMore();
    await readPacer.take(input.readUnitsPerPage, signal);
    let next: IteratorResult<Page> | undefined;
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

/** Cuts a scanned page into batches and queues them; false when the queue was closed meanwhile. */
async function queuePage(
  input: CopyItemsInput,
  segment: number,
  page: Page,
  progress: SegmentProgress,
  queue: BoundedQueue<WriteUnit>,
): Promise<boolean> {
  const { stats, readPacer } = input;
  if (page.consumedRead > 0) readPacer.settle(page.consumedRead - input.readUnitsPerPage);
  stats.pagesScanned += 1;
  stats.itemsScanned += page.scanned ?? page.items.length;
  stats.consumedRead += page.consumedRead;

  // Items a stage changed are checked again: a mask or a transform can make an item too big or its key wrong.
  const check = !input.source.capabilities.validItems || input.stage !== undefined;
  const staged = input.stage ? await input.stage.page(page.items, segment) : undefined;
  const batches = batchItems(staged?.items ?? page.items, input.keyAttributes);
  let end = 0;
  const tickets = progress.addPage(
    segment,
    page.lastKey,
    batches.map((items) => {
      end += items.length;
      // Where a resumed Scan continues: the source's key, whatever the stage made of it.
      return {
        items: items.length,
        lastItemKey: staged
          ? staged.sourceKeys[end - 1]!
          : keyOf(items[items.length - 1]!, input.keyAttributes),
      };
    }),
  );
  if (batches.length === 0) input.onProgress?.(progress);
  for (let b = 0; b < batches.length; b++) {
    const items = batches[b]!;
    let bytes = 0;
    let writeUnits = 0;
    for (const item of items) {
      const size = itemSize(item);
      if (check) checkItem(item, input.keyAttributes, input.keyTypes, size);
      bytes += size;
      // BatchWriteItem: 1 WCU per item per started KB.
      writeUnits += Math.ceil(size / 1024) || 1;
    }
    if (!(await queue.push({ items, bytes, writeUnits, ticket: tickets[b]! }))) return false;
  }
  return true;
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
  const write = () => input.sink.writeBatch(unit.items, signal, unit.ticket.segment);
  const result = await (input.writeSlots ? input.writeSlots.with(write, waitSignal) : write());
  if (result.consumedWrite > 0) writePacer.settle(result.consumedWrite - unit.writeUnits);
  if (result.throttled) writePacer.throttled();
  stats.itemsWritten += unit.items.length;
  stats.bytesWritten += unit.bytes;
  stats.consumedWrite += result.consumedWrite;
  if (progress.acknowledge(unit.ticket)) input.onProgress?.(progress);
}
