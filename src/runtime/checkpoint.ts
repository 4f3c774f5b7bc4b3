import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { binaryBase64 } from '../core/binary.js';
import type { SegmentState } from '../core/segment-progress.js';
import { CheckpointError } from '../errors.js';
import type { Key } from '../stores/types.js';

/**
 * The durable record of a copy: what it copies (tables and the options that change the result), how
 * (the segment count, fixed for the life of the record) and how far each segment got. It holds no
 * secrets: only table names, regions, endpoints and keys.
 */
export interface CheckpointRecord {
  version: typeof CHECKPOINT_VERSION;
  tool: 'ddbcopy';
  createdAt: string;
  updatedAt: string;
  /** The process that writes it, so a second copy on the same record is refused while it runs. */
  owner: { pid: number; host: string };
  source: TableIdentity;
  target: TableIdentity;
  /** Hash of the options that change what the target ends up holding. */
  optionsHash: string;
  /** `copying` once the target is prepared; `completed` when every segment is done. */
  phase: 'copying' | 'completed';
  totalSegments: number;
  keyAttributes: string[];
  segments: StoredSegment[];
  /** Counters summed over every run of this record (for the report). */
  totals: { itemsWritten: number; bytesWritten: number; consumedRead: number; consumedWrite: number };
}

export interface TableIdentity {
  table: string;
  region: string;
  endpoint: string | null;
}

interface StoredSegment {
  segment: number;
  startKey: Record<string, StoredValue> | null;
  done: boolean;
  itemsWritten: number;
}

/** A key attribute in JSON: S, N, or B as base64 (key attributes are only ever these three types). */
type StoredValue = { S: string } | { N: string } | { B: string };

export const CHECKPOINT_VERSION = 1;

/** Where a copy's record lives unless --checkpoint says otherwise: one file per source/target pair. */
export function defaultCheckpointPath(
  directory: string,
  parts: { source: object; target: object; names: [string, string] },
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([parts.source, parts.target]))
    .digest('hex')
    .slice(0, 10);
  const safe = (name: string): string => name.replace(/^arn:.*table\//, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(directory, `copy-${safe(parts.names[0])}-to-${safe(parts.names[1])}-${hash}.json`);
}

export function hashOptions(values: unknown): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

export function encodeKey(key: Key | undefined): Record<string, StoredValue> | null {
  if (!key) return null;
  const out: Record<string, StoredValue> = {};
  for (const [name, value] of Object.entries(key)) {
    if (value.S !== undefined) out[name] = { S: value.S };
    else if (value.N !== undefined) out[name] = { N: value.N };
    else if (value.B !== undefined) out[name] = { B: binaryBase64(value.B) };
    else throw new TypeError(`key attribute ${name} is not S, N or B`);
  }
  return out;
}

export function decodeKey(stored: Record<string, StoredValue> | null): Key | undefined {
  if (!stored) return undefined;
  const key: Key = {};
  for (const [name, value] of Object.entries(stored)) {
    if ('S' in value) key[name] = { S: value.S };
    else if ('N' in value) key[name] = { N: value.N };
    // Kept as base64 text: that is how the data path sends binary keys.
    else key[name] = { B: value.B };
  }
  return key;
}

export function segmentsOf(record: CheckpointRecord): SegmentState[] {
  return record.segments.map((s) => ({
    segment: s.segment,
    startKey: decodeKey(s.startKey),
    done: s.done,
    itemsWritten: s.itemsWritten,
  }));
}

export function storeSegments(states: readonly SegmentState[]): StoredSegment[] {
  return states.map((s) => ({
    segment: s.segment,
    startKey: encodeKey(s.startKey),
    done: s.done,
    itemsWritten: s.itemsWritten,
  }));
}

/** Reads a record; undefined when there is none; CheckpointError when it is unreadable. */
export async function readCheckpoint(file: string): Promise<CheckpointRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CheckpointError(`Cannot read the checkpoint ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const record = JSON.parse(text) as CheckpointRecord;
    if (
      record.tool !== 'ddbcopy' ||
      record.version !== CHECKPOINT_VERSION ||
      !Array.isArray(record.segments)
    ) {
      throw new Error('not a ddbcopy checkpoint of this version');
    }
    if (record.segments.length !== record.totalSegments) throw new Error('segment list is incomplete');
    return record;
  } catch (error) {
    throw new CheckpointError(`The checkpoint ${file} is corrupt: ${(error as Error).message}.`, {
      cause: error,
      hint: 'Delete it and copy again with --restart (the copy is repeatable: items are overwritten).',
    });
  }
}

/** True when the record belongs to another live process on this host (a copy is running on it). */
export function ownedByAnotherProcess(record: CheckpointRecord): boolean {
  if (record.owner.host !== os.hostname() || record.owner.pid === process.pid) return false;
  try {
    process.kill(record.owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is alive all the same.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return record.phase !== 'completed';
}

export function currentOwner(): CheckpointRecord['owner'] {
  return { pid: process.pid, host: os.hostname() };
}

/**
 * Writes records durably and atomically (temp file, fsync, rename, fsync of the directory), mode 0600.
 * Updates are coalesced: at most one write is in flight, and the latest record always gets written
 * next, so the file lags the acknowledged progress by about one write (a few milliseconds).
 */
export class CheckpointWriter {
  private latest: CheckpointRecord | (() => CheckpointRecord) | undefined;
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(readonly file: string) {}

  /**
   * Queues a record for writing; returns at once. A function is called only when its record is about
   * to be written, so frequent updates cost nothing until then.
   */
  update(record: CheckpointRecord | (() => CheckpointRecord)): void {
    this.latest = record;
    if (!this.writing) this.writing = this.drain();
  }

  /** Writes the latest record (if any is pending) and resolves when it is on disk. */
  async flush(record?: CheckpointRecord): Promise<void> {
    if (record) this.update(record);
    while (this.writing) await this.writing;
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      throw error;
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.latest) {
        const next = this.latest;
        this.latest = undefined;
        const record = typeof next === 'function' ? next() : next;
        await writeAtomically(this.file, `${JSON.stringify(record, null, 1)}\n`);
      }
    } catch (error) {
      this.failure = new CheckpointError(
        `Cannot write the checkpoint ${this.file}: ${(error as Error).message}`,
        {
          cause: error,
          hint: 'Check that the directory is writable and the disk is not full, or pass --checkpoint FILE.',
        },
      );
    } finally {
      this.writing = undefined;
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const directory = path.dirname(file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  // The rename is durable only once the directory entry is.
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true });
}
