import type { ExitCode } from '../../../errors.js';
import type { RetryCounts } from '../../../runtime/stats.js';
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
}

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
  | { type: 'warning'; message: string }
  | { type: 'done'; status: 'completed' | 'interrupted'; states: SegmentState[] }
  | { type: 'error'; error: ErrorMessage };

export type MainMessage = { type: 'stop' };
