import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SegmentState } from '../../engine/copy/segment-progress.js';
import { CheckpointError } from '../../errors.js';
import { binaryBase64 } from '../../model/binary.js';
import type { TableIdentity } from '../../model/table-location.js';
import type { ManifestFileEntry } from '../../stores/open.js';
import type { Key } from '../../stores/types.js';
import { checkFollowPart, type FollowRecordPart } from '../follow/follow-record.js';

/**
 * The durable record of a copy: what it copies (tables and the options that change the result), how
 * (the segment count, fixed for the life of the record) and how far each segment got. It holds no
 * secrets: only table names, regions, endpoints and keys.
 */
// How a record names its tables: the model's TableIdentity (re-exported for the record's readers).
export type { TableIdentity } from '../../model/table-location.js';

/**
 * A copy's run record (the checkpoint file): the tables, a hash of the options that change the result,
 * and each segment's last acknowledged key, so that `resume` continues where the copy stopped and
 * refuses a record made with other options.
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
  /** An export's own state (only in an export's record): its folder and the files that are final. */
  export?: ExportRecordPart;
  /** A follow's state (copy --follow, follow): the stream and each shard's last applied record. */
  follow?: FollowRecordPart;
}

/**
 * What an export's record adds: which export folder it writes, and per sealed segment (scanned to
 * its end, every data file stored) the manifest lines of its files, which a resumed run keeps.
 */
export interface ExportRecordPart {
  /** The output location (a directory or s3://bucket/prefix) the export folder is under. */
  location: string;
  exportId: string;
  /** When the first run began: manifest-summary.json's startTime and exportTime. */
  startTime: string;
  sealed: { segment: number; files: ManifestFileEntry[] }[];
  /**
   * Data files begun for segments not sealed yet, relative to the location. Each is recorded before
   * its file is created, so a crash never leaves a file the record does not name: a resumed run
   * deletes these (and their local `.tmp` twins) before scanning their segments again.
   */
  unsealedKeys: string[];
}

/** One segment's place in a run record: where its scan resumes, and what it has written. */
export interface StoredSegment {
  segment: number;
  startKey: Record<string, StoredValue> | null;
  done: boolean;
  itemsWritten: number;
}

/** A key attribute in JSON: S, N, or B as base64 (key attributes are only ever these three types). */
/** A key attribute's value as a record stores it (binary as base64 text). */
export type StoredValue = { S: string } | { N: string } | { B: string };

export const CHECKPOINT_VERSION = 1;

/** Where a run's record lives unless --checkpoint says otherwise: one file per source/target pair. */
export function defaultCheckpointPath(
  directory: string,
  parts: { source: object; target: object; names: [string, string] },
  kind: 'copy' | 'import' | 'export' | 'follow' = 'copy',
): string {
  // --expect-X-account guards a side; it does not move the table: the same record is found with or without it.
  const where = (side: object): object => ({ ...side, expectAccount: undefined });
  const hash = createHash('sha256')
    .update(JSON.stringify([where(parts.source), where(parts.target)]))
    .digest('hex')
    .slice(0, 10);
  const safe = (name: string): string => name.replace(/^arn:.*table\//, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  // An export's destination has no short name (a directory or an S3 URL): the hash stands for it.
  const to = parts.names[1] === '' ? '' : `${safe(parts.names[1])}-`;
  return path.join(directory, `${kind}-${safe(parts.names[0])}-to-${to}${hash}.json`);
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
    if (record.export !== undefined) checkExportPart(record.export, record.totalSegments);
    if (record.follow !== undefined) checkFollowPart(record.follow);
    return record;
  } catch (error) {
    throw new CheckpointError(`The checkpoint ${file} is corrupt: ${(error as Error).message}.`, {
      cause: error,
      hint: 'Delete it and run again with --restart (the run is repeatable: items are written again).',
    });
  }
}

/** Throws (with what is wrong) unless `part` has the shape an export's record part must have. */
function checkExportPart(part: ExportRecordPart, totalSegments: number): void {
  const isText = (value: unknown): value is string => typeof value === 'string';
  if (typeof part !== 'object' || part === null) throw new Error('export state is not an object');
  if (!isText(part.location) || !isText(part.startTime)) throw new Error('export location is missing');
  // The id becomes a folder name: nothing that could climb out of AWSDynamoDB/.
  if (!isText(part.exportId) || !/^[A-Za-z0-9_-]+$/.test(part.exportId)) throw new Error('bad export id');
  if (!Array.isArray(part.unsealedKeys) || !part.unsealedKeys.every(isText)) {
    throw new Error('unsealed file list is malformed');
  }
  if (!Array.isArray(part.sealed)) throw new Error('sealed segment list is malformed');
  const seen = new Set<number>();
  for (const sealed of part.sealed) {
    const segment = sealed?.segment;
    if (!Number.isInteger(segment) || segment < 0 || segment >= totalSegments || seen.has(segment)) {
      throw new Error(`sealed segment ${String(segment)} is out of range or repeated`);
    }
    seen.add(segment);
    if (!Array.isArray(sealed.files)) throw new Error(`files of segment ${segment} are malformed`);
    for (const file of sealed.files) {
      if (
        !Number.isInteger(file?.itemCount) ||
        file.itemCount < 0 ||
        !isText(file.md5Checksum) ||
        !isText(file.etag) ||
        !isText(file.dataFileS3Key)
      ) {
        throw new Error(`a file entry of segment ${segment} is malformed`);
      }
    }
  }
}

/**
 * True when the run the record describes has nothing left to do: every item copied and, with a
 * follow, the follow caught up. A follow stopped by Ctrl-C is unfinished: running the command again
 * must not start over (and recreate the target) silently.
 */
export function recordFinished(record: CheckpointRecord): boolean {
  return record.phase === 'completed' && (record.follow === undefined || record.follow.caughtUp === true);
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
  return !recordFinished(record);
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

export async function writeAtomically(file: string, text: string): Promise<void> {
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
