import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DdbCopyError, type ExitCode, type ItemRejectedError } from '../../../errors.js';
import type { CopyStats } from '../../../runtime/stats.js';
import type { CopyItemsResult } from '../copy-items.js';
import { keyCollision } from '../item-stage.js';
import type { SegmentState } from '../segment-progress.js';
import type {
  ErrorMessage,
  MainMessage,
  StageCounts,
  StagedKey,
  StatsDelta,
  WorkerInit,
  WorkerMessage,
} from './worker-protocol.js';

/**
 * Copies items on several threads: one Node thread tops out near 30,000 items/s (JSON parse and
 * stringify, signing, sockets), so the segments are dealt out to worker threads, each with its own
 * clients, scanners, writers and share of the rate. This thread keeps the segment states, the
 * counters and the checkpoint, exactly as a single-threaded copy does.
 */
export interface ParallelCopyInput extends Omit<WorkerInit, 'segments' | 'resumeFrom'> {
  workers: number;
  /**
   * The worker thread's module: it opens `source` and `target` (store specs, opaque here) and serves
   * the copy with `serveCopyWorker`. The engine never opens a store itself.
   */
  workerUrl: URL;
  resumeFrom?: readonly SegmentState[];
  stats: CopyStats;
  onProgress?: (progress: { snapshot(): SegmentState[] }) => void;
  onWarning?: (message: string) => void;
  /**
   * What the workers' item stages did (values masked per rule, items dropped or rejected), as they
   * report it: the run adds these to what its summary counts.
   */
  onStageCounts?: (delta: StageCounts) => void;
  signal?: AbortSignal;
}

/** Workers need the compiled worker module: running from TypeScript sources (tests) copies in-thread. */
export function workersAvailable(workerUrl: URL): boolean {
  return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}

/** A failure a worker reported, with its code, side, hint and exit code intact. */
export class WorkerReportedError extends DdbCopyError {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(report: ErrorMessage) {
    super(report.message, {
      ...(report.side ? { side: report.side } : {}),
      ...(report.hint ? { hint: report.hint } : {}),
    });
    this.code = report.code;
    this.exitCode = report.exitCode;
    this.name = report.name;
  }
}

export async function copyItemsInWorkers(input: ParallelCopyInput): Promise<CopyItemsResult> {
  const states: SegmentState[] = Array.from({ length: input.totalSegments }, (_, segment) => ({
    segment,
    startKey: undefined,
    done: false,
    itemsWritten: 0,
  }));
  for (const saved of input.resumeFrom ?? []) states[saved.segment] = { ...saved };
  const pending = states.filter((s) => !s.done).map((s) => s.segment);
  const count = Math.max(1, Math.min(input.workers, pending.length));
  const shares = Array.from({ length: count }, (_, w) => pending.filter((_, i) => i % count === w));
  const view = { snapshot: (): SegmentState[] => states.map((s) => ({ ...s })) };
  const collisions = input.checkKeys ? new KeyCollisions() : undefined;

  const workers: Worker[] = [];
  const stopAll = (): void => {
    for (const worker of workers) worker.postMessage({ type: 'stop' } satisfies MainMessage);
  };
  input.signal?.addEventListener('abort', stopAll, { once: true });
  let firstError: DdbCopyError | undefined;
  try {
    const outcomes = await Promise.all(
      shares.map(
        (segments) =>
          new Promise<'completed' | 'interrupted'>((resolve) => {
            const init: WorkerInit = {
              source: input.source,
              target: input.target,
              segments,
              totalSegments: input.totalSegments,
              resumeFrom: segments.map((segment) => states[segment]!),
              keyAttributes: input.keyAttributes,
              scanConcurrency: Math.max(1, Math.ceil(input.scanConcurrency / count)),
              writeConcurrency: Math.max(1, Math.ceil(input.writeConcurrency / count)),
              scanLimit: input.scanLimit,
              consistentRead: input.consistentRead,
              readUnitsPerPage: input.readUnitsPerPage,
              readRate: share(input.readRate, count),
              writeRate: share(input.writeRate, count),
              ...(input.filter ? { filter: input.filter } : {}),
              ...(input.stage !== undefined ? { stage: input.stage } : {}),
              ...(collisions ? { checkKeys: true } : {}),
            };
            const worker = new Worker(input.workerUrl, { workerData: init });
            workers.push(worker);
            let settled = false;
            const finish = (status: 'completed' | 'interrupted'): void => {
              if (!settled) resolve(status);
              settled = true;
            };
            const fail = (error: DdbCopyError): void => {
              firstError ??= error;
              stopAll();
              finish('interrupted');
            };
            worker.on('message', (message: WorkerMessage) => {
              switch (message.type) {
                case 'progress':
                  for (const state of message.states) states[state.segment] = state;
                  input.onProgress?.(view);
                  break;
                case 'stats':
                  addStats(input.stats, message.delta);
                  break;
                case 'stage-counts':
                  input.onStageCounts?.(message.delta);
                  break;
                case 'keys': {
                  const collision = collisions?.add(message.keys);
                  if (collision) fail(collision);
                  break;
                }
                case 'warning':
                  input.onWarning?.(message.message);
                  break;
                case 'done':
                  for (const state of message.states) states[state.segment] = state;
                  input.onProgress?.(view);
                  finish(message.status);
                  break;
                case 'error':
                  fail(new WorkerReportedError(message.error));
                  break;
              }
            });
            worker.on('error', (error) =>
              fail(
                new WorkerReportedError({
                  name: 'Error',
                  code: 'UNEXPECTED',
                  exitCode: 1,
                  message: error.stack ?? String(error),
                  hint: null,
                  side: null,
                }),
              ),
            );
            worker.on('exit', () => {
              if (!settled) {
                fail(
                  new WorkerReportedError({
                    name: 'Error',
                    code: 'UNEXPECTED',
                    exitCode: 1,
                    message: 'A copy worker thread ended without reporting.',
                    hint: null,
                    side: null,
                  }),
                );
              }
            });
          }),
      ),
    );
    if (firstError) throw firstError;
    const done = pending.every((segment) => states[segment]!.done);
    return {
      status: done && outcomes.every((o) => o === 'completed') ? 'completed' : 'interrupted',
      segments: view.snapshot(),
    };
  } finally {
    input.signal?.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * The collision check of a stage that may change keys (`itemStage`'s `keysChange`), over every
 * worker: each thread sees only its segments, so the staged keys all come here. A worker writes
 * without waiting for this check, so the item that collides may already be written when the copy
 * stops; the copy fails all the same, naming both source keys.
 */
class KeyCollisions {
  /** Target key (canonical) → the source key (JSON) it came from. */
  private readonly seen = new Map<string, string>();

  add(keys: readonly StagedKey[]): ItemRejectedError | undefined {
    for (const [target, source, targetJson] of keys) {
      const earlier = this.seen.get(target);
      if (earlier !== undefined && earlier !== source) {
        return keyCollision(earlier, source, targetJson);
      }
      this.seen.set(target, source);
    }
    return undefined;
  }
}

function share(rate: number | undefined, workers: number): number | undefined {
  return rate === undefined ? undefined : rate / workers;
}

function addStats(stats: CopyStats, delta: StatsDelta): void {
  stats.itemsScanned += delta.itemsScanned;
  stats.itemsWritten += delta.itemsWritten;
  stats.bytesWritten += delta.bytesWritten;
  stats.pagesScanned += delta.pagesScanned;
  stats.consumedRead += delta.consumedRead;
  stats.consumedWrite += delta.consumedWrite;
  stats.addRetries(delta.retries);
}
