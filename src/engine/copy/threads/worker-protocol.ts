import type { ExitCode } from '../../../errors.js';
import type { RetryCounts } from '../../../runtime/stats.js';
import type { ScanFilter } from '../../../stores/types.js';
import type { SegmentState } from '../segment-progress.js';

/** The messages between the main thread and a copy worker; all of it survives structured cloning. */
export interface WorkerInit {
  /** Store specs (plain data) the worker's module opens through the store registry; opaque to the engine. */
  source: unknown;
  target: unknown;
  segments: number[];
  totalSegments: number;
  resumeFrom: SegmentState[];
  keyAttributes: string[];
  scanConcurrency: number;
  writeConcurrency: number;
  scanLimit: number;
  consistentRead: boolean;
  readUnitsPerPage: number;
  /** This worker's share of the side's rate (the rate divided by the number of workers). */
  readRate: number | undefined;
  writeRate: number | undefined;
  /** Only items matching it are scanned (the Scan's FilterExpression); plain data. */
  filter?: ScanFilter | undefined;
  /**
   * What the worker's module builds the item stage (masks, a transform) from: plain data, opaque to
   * the engine, like the store specs. It may hold a secret: it stays in this process's memory and is
   * never logged or put in a message.
   */
  stage?: unknown;
  /**
   * The stage may change key attributes: the worker sends each written item's target and source key
   * (`keys` messages) and the main thread checks that no two source items get one target key, across
   * every worker.
   */
  checkKeys?: boolean;
}

/**
 * What a worker's item stage did since its last report: values changed per mask rule (by the rule's
 * text), items a transform dropped, and items left out because it threw (`--on-transform-error skip`).
 */
export interface StageCounts {
  masked: Record<string, number>;
  dropped: number;
  rejected: number;
}

/**
 * One staged item's key, for the main thread's collision check: [the target key as `keyString`
 * gives it, the source key as JSON, the target key as JSON (for the message)].
 */
export type StagedKey = [target: string, source: string, targetJson: string];

export interface StatsDelta {
  itemsScanned: number;
  itemsWritten: number;
  bytesWritten: number;
  pagesScanned: number;
  consumedRead: number;
  consumedWrite: number;
  retries: RetryCounts;
}

export interface ErrorMessage {
  name: string;
  code: string;
  exitCode: ExitCode;
  message: string;
  hint: string | null;
  side: 'source' | 'target' | null;
}

export type WorkerMessage =
  | { type: 'progress'; states: SegmentState[] }
  | { type: 'stats'; delta: StatsDelta }
  | { type: 'stage-counts'; delta: StageCounts }
  | { type: 'keys'; keys: StagedKey[] }
  | { type: 'warning'; message: string }
  | { type: 'done'; status: 'completed' | 'interrupted'; states: SegmentState[] }
  | { type: 'error'; error: ErrorMessage };

export type MainMessage = { type: 'stop' };
