/**
 * A worker thread's share of a copy: its own source and sink, and the engine over the segments it was
 * given. It reports segment states, counters and the outcome to the main thread, which keeps the
 * checkpoint and renders progress. The main thread cannot lend it its stores (clients don't cross
 * threads), so the worker's module opens them again from their specs, through the store registry;
 * likewise it builds the item stage (masks, a transform) from its spec, and this thread reports what
 * the stage did (counts, staged keys) for the main thread to add up and check.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isDdbCopyError } from '../../../errors.js';
import { keyOf } from '../../../model/item-check.js';
import { keyString } from '../../../model/item-key.js';
import { countRetries } from '../../../runtime/count-retries.js';
import { Pacer } from '../../../runtime/pacer.js';
import { CopyStats } from '../../../runtime/stats.js';
import type { RetryListener, Sink, Source } from '../../../stores/types.js';
import { copyItems } from '../copy-items.js';
import type { ItemStage } from '../item-stage.js';
import type { MainMessage, StageCounts, StatsDelta, WorkerInit, WorkerMessage } from './worker-protocol.js';

const STATS_INTERVAL_MS = 100;

/** How the worker's module opens the stores named in its init, each told of its retries. */
export interface WorkerStores {
  openSource(spec: unknown, onRetry: RetryListener): Promise<Source & { close(): void }>;
  openSink(spec: unknown, onRetry: RetryListener): Promise<Sink & { close(): void }>;
  /** Builds the item stage named by `init.stage` (a spec, opaque here); needed only when there is one. */
  openStage?(spec: unknown): Promise<WorkerStage>;
}

/** A worker's item stage, with what it did so far and how to let go of it. */
export interface WorkerStage {
  stage: ItemStage;
  /** What the stage did since it was built (totals; this thread sends the differences). */
  counts(): StageCounts;
  /** Flushes and closes what the stage writes (the rejects file). */
  close(): Promise<void>;
}

/** Runs this worker thread's share of the copy; does nothing outside a worker thread. */
export function serveCopyWorker(stores: WorkerStores): void {
  if (parentPort) void run(workerData as WorkerInit, stores);
}

async function run(init: WorkerInit, stores: WorkerStores): Promise<void> {
  const port = parentPort!;
  const post = (message: WorkerMessage): void => port.postMessage(message);
  const stats = new CopyStats();
  const controller = new AbortController();
  port.on('message', (message: MainMessage) => {
    if (message.type === 'stop') controller.abort(new Error('interrupted'));
  });
  const pacers = { read: new Pacer(init.readRate), write: new Pacer(init.writeRate) };
  const listener = (pacer: Pacer): RetryListener => countRetries(stats, () => pacer);
  let sent = emptyDelta();
  let opened: WorkerStage | undefined;
  let sentCounts: StageCounts = { masked: {}, dropped: 0, rejected: 0 };
  const flushStats = (): void => {
    const now = deltaOf(stats);
    post({ type: 'stats', delta: subtract(now, sent) });
    sent = now;
    if (opened) {
      const counts = opened.counts();
      const delta = subtractCounts(counts, sentCounts);
      if (delta) post({ type: 'stage-counts', delta });
      sentCounts = { ...counts, masked: { ...counts.masked } };
    }
  };
  const timer = setInterval(flushStats, STATS_INTERVAL_MS);
  let source: (Source & { close(): void }) | undefined;
  let sink: (Sink & { close(): void }) | undefined;
  try {
    source = await stores.openSource(init.source, listener(pacers.read));
    sink = await stores.openSink(init.target, listener(pacers.write));
    if (init.stage !== undefined) {
      if (!stores.openStage) throw new Error('This worker module cannot build an item stage.');
      opened = await stores.openStage(init.stage);
    }
    const stage = opened && (init.checkKeys ? reportingKeys(opened.stage, init, post) : opened.stage);
    const result = await copyItems({
      source,
      sink,
      keyAttributes: init.keyAttributes,
      totalSegments: init.totalSegments,
      segmentsToCopy: init.segments,
      scanConcurrency: init.scanConcurrency,
      writeConcurrency: init.writeConcurrency,
      scanLimit: init.scanLimit,
      consistentRead: init.consistentRead,
      readUnitsPerPage: init.readUnitsPerPage,
      readPacer: pacers.read,
      writePacer: pacers.write,
      stats,
      resumeFrom: init.resumeFrom,
      ...(init.filter ? { filter: init.filter } : {}),
      ...(stage ? { stage } : {}),
      onProgress: (progress) => {
        const all = progress.snapshot();
        post({ type: 'progress', states: init.segments.map((segment) => all[segment]!) });
      },
      onWarning: (message) => post({ type: 'warning', message }),
      signal: controller.signal,
    });
    clearInterval(timer);
    // The rejects file is complete before the main thread hears that this share is done.
    await opened?.close();
    flushStats();
    post({
      type: 'done',
      status: result.status,
      states: init.segments.map((segment) => result.segments[segment]!),
    });
  } catch (error) {
    clearInterval(timer);
    await opened?.close().catch(() => {});
    flushStats();
    post({
      type: 'error',
      error: isDdbCopyError(error)
        ? {
            name: error.name,
            code: error.code,
            exitCode: error.exitCode,
            message: error.message,
            hint: error.hint ?? null,
            side: error.side ?? null,
          }
        : {
            name: 'Error',
            code: 'UNEXPECTED',
            exitCode: 1,
            message: String((error as Error)?.stack ?? error),
            hint: null,
            side: null,
          },
    });
  } finally {
    source?.close();
    sink?.close();
    port.close();
  }
}

/**
 * The stage, telling the main thread each staged item's target and source key: only the main thread
 * sees every worker's keys, so only it can tell that two source items became one target key.
 */
function reportingKeys(
  stage: ItemStage,
  init: WorkerInit,
  post: (message: WorkerMessage) => void,
): ItemStage {
  return {
    async page(items, segment) {
      const staged = await stage.page(items, segment);
      if (staged.items.length > 0) {
        post({
          type: 'keys',
          keys: staged.items.map((item, i) => [
            keyString(item, init.keyAttributes),
            JSON.stringify(staged.sourceKeys[i]),
            JSON.stringify(keyOf(item, init.keyAttributes)),
          ]),
        });
      }
      return staged;
    },
    targetKey: (key) => stage.targetKey(key),
  };
}

/** `now - before`, or undefined when nothing changed. */
function subtractCounts(now: StageCounts, before: StageCounts): StageCounts | undefined {
  const masked: Record<string, number> = {};
  let changed = false;
  for (const [rule, values] of Object.entries(now.masked)) {
    const delta = values - (before.masked[rule] ?? 0);
    if (delta !== 0) {
      masked[rule] = delta;
      changed = true;
    }
  }
  const dropped = now.dropped - before.dropped;
  const rejected = now.rejected - before.rejected;
  return changed || dropped !== 0 || rejected !== 0 ? { masked, dropped, rejected } : undefined;
}

function emptyDelta(): StatsDelta {
  return {
    itemsScanned: 0,
    itemsWritten: 0,
    bytesWritten: 0,
    pagesScanned: 0,
    consumedRead: 0,
    consumedWrite: 0,
    retries: { unprocessedItems: 0, throttled: 0, errors: 0, expiredCredentials: 0 },
  };
}

function deltaOf(stats: CopyStats): StatsDelta {
  return {
    itemsScanned: stats.itemsScanned,
    itemsWritten: stats.itemsWritten,
    bytesWritten: stats.bytesWritten,
    pagesScanned: stats.pagesScanned,
    consumedRead: stats.consumedRead,
    consumedWrite: stats.consumedWrite,
    retries: { ...stats.retries },
  };
}

function subtract(a: StatsDelta, b: StatsDelta): StatsDelta {
  return {
    itemsScanned: a.itemsScanned - b.itemsScanned,
    itemsWritten: a.itemsWritten - b.itemsWritten,
    bytesWritten: a.bytesWritten - b.bytesWritten,
    pagesScanned: a.pagesScanned - b.pagesScanned,
    consumedRead: a.consumedRead - b.consumedRead,
    consumedWrite: a.consumedWrite - b.consumedWrite,
    retries: {
      unprocessedItems: a.retries.unprocessedItems - b.retries.unprocessedItems,
      throttled: a.retries.throttled - b.retries.throttled,
      errors: a.retries.errors - b.retries.errors,
      expiredCredentials: a.retries.expiredCredentials - b.retries.expiredCredentials,
    },
  };
}
