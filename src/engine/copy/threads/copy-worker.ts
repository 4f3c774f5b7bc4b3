/**
 * A worker thread's share of a copy: its own clients on both sides, and the engine over the segments
 * it was given. It reports segment states, counters and the outcome to the main thread, which keeps
 * the checkpoint and renders progress. The main thread cannot lend it its clients (they don't cross
 * threads), so it connects itself, with the same side configuration and the endpoint already resolved.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isDdbCopyError } from '../../../errors.js';
import { Pacer } from '../../../runtime/pacer.js';
import { CopyStats } from '../../../runtime/stats.js';
import {
  closeSide,
  connectSide,
  type SideConnection,
  SOURCE_OPERATIONS,
} from '../../../stores/dynamodb/client.js';
import { DynamoDbSink } from '../../../stores/dynamodb/sink.js';
import { DynamoDbSource } from '../../../stores/dynamodb/source.js';
import type { RetryListener } from '../../../stores/types.js';
import { copyItems } from '../copy-items.js';
import type { MainMessage, StatsDelta, WorkerInit, WorkerMessage } from './worker-protocol.js';

const STATS_INTERVAL_MS = 100;

async function run(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const post = (message: WorkerMessage): void => port.postMessage(message);
  const stats = new CopyStats();
  const controller = new AbortController();
  port.on('message', (message: MainMessage) => {
    if (message.type === 'stop') controller.abort(new Error('interrupted'));
  });
  const pacers = { read: new Pacer(init.readRate), write: new Pacer(init.writeRate) };
  const listener =
    (pacer: Pacer): RetryListener =>
    (reason) => {
      stats.retries[reason] += 1;
      if (reason === 'throttled' || reason === 'unprocessedItems') pacer.throttled();
    };
  let sent = emptyDelta();
  const flushStats = (): void => {
    const now = deltaOf(stats);
    post({ type: 'stats', delta: subtract(now, sent) });
    sent = now;
  };
  const timer = setInterval(flushStats, STATS_INTERVAL_MS);
  let source: SideConnection | undefined;
  let target: SideConnection | undefined;
  try {
    source = await connectSide('source', init.source.config, {
      maxSockets: init.source.maxSockets,
      allowedOperations: SOURCE_OPERATIONS,
    });
    target = await connectSide('target', init.target.config, { maxSockets: init.target.maxSockets });
    source.resolvedEndpoint = init.source.resolvedEndpoint
      ? new URL(init.source.resolvedEndpoint)
      : undefined;
    target.resolvedEndpoint = init.target.resolvedEndpoint
      ? new URL(init.target.resolvedEndpoint)
      : undefined;
    const result = await copyItems({
      source: new DynamoDbSource(source, listener(pacers.read)),
      sink: new DynamoDbSink(target, listener(pacers.write)),
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
      onProgress: (progress) => {
        const all = progress.snapshot();
        post({ type: 'progress', states: init.segments.map((segment) => all[segment]!) });
      },
      onWarning: (message) => post({ type: 'warning', message }),
      signal: controller.signal,
    });
    clearInterval(timer);
    flushStats();
    post({
      type: 'done',
      status: result.status,
      states: init.segments.map((segment) => result.segments[segment]!),
    });
  } catch (error) {
    clearInterval(timer);
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
    closeSide(source);
    closeSide(target);
    port.close();
  }
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

if (parentPort) void run(workerData as WorkerInit);
