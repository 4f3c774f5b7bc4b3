import { createHash, randomBytes } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { ForbiddenOperationError } from '../../errors.js';
import { wireJson } from '../../model/item-json.js';
import type { CreateTableCommandInput, TableDescription } from '../../model/table.js';
import type { Capabilities, Item, Sink, TableSnapshot, Unsupported, WriteResult } from '../types.js';
import { baseName, type ExportStorage, joinKey, writeText } from './export-storage.js';
import {
  DATA_FOLDER,
  EXPORTS_FOLDER,
  FILES_MANIFEST,
  type ManifestFileEntry,
  type ManifestSummary,
  STARTED_FILE,
  SUMMARY_FILE,
  TABLE_FILE,
} from './layout.js';

/**
 * Uncompressed bytes after which a segment's data file is closed and its next part begun: files stay
 * a size that downloads, retries and parallel imports handle well (AWS's own are of this order).
 */
const MAX_FILE_BYTES = 100 * 1024 * 1024;
/**
 * Data files open at once. Each holds a gzip state and, in S3, up to two 5 MiB parts; scans work on
 * a few segments at a time, so the least recently written file is closed past this many.
 */
const MAX_OPEN_FILES = 8;

/** Data files of writeBatch calls that name no segment (a caller outside the engine). */
const NO_SEGMENT = -1;

/** One data file part: lines → gzip → md5 of the compressed bytes → the storage. */
interface DataFile {
  key: string;
  segment: number;
  gzip: Gzip;
  md5: ReturnType<typeof createHash>;
  /** Settles once the storage holds the whole file (or failed to). */
  stored: Promise<void>;
  /** Writes to one file run one after another; this is the last one queued (never rejects). */
  tail: Promise<void>;
  itemCount: number;
  /** Bytes queued before compression: decides when the part is full. */
  textBytes: number;
  /** Bytes after compression: what the storage holds. */
  bytes: number;
  retired: boolean;
  /** Its manifest line, made once the storage holds it (the md5 digest can be taken only once). */
  entry?: ManifestFileEntry;
}

/** A segment whose data files are final: scanned to its end and every part stored. */
export interface SealedSegment {
  segment: number;
  /** Its data files' manifest lines, in the order they were written. */
  files: ManifestFileEntry[];
}

export interface ExportSinkOptions {
  exportId?: string;
  /** Uncompressed bytes per data file before a segment starts its next part (default 100 MiB). */
  maxFileBytes?: number;
  /** Data files open at once (default 8). */
  maxOpenFiles?: number;
  /** When the export began (manifest-summary.json's startTime): a resumed export keeps its first run's. */
  startTime?: Date;
  /**
   * Segments an earlier run of this export sealed: their files are kept, listed in the manifest, and
   * their segments take no more batches.
   */
  sealed?: readonly SealedSegment[];
  /**
   * Awaited with a data file's key before the file is created, so a run record can name every file
   * that may exist; when it rejects, the file is not created and its writes fail with that error.
   */
  onPartBegin?: (key: string, segment: number) => Promise<void>;
}

/** What `finish` returns: where the export is and what it holds. */
export interface ExportResult {
  exportId: string;
  /** Where the export folder is: `DIR/AWSDynamoDB/<exportId>`, or `s3://bucket/prefix/AWSDynamoDB/<exportId>`. */
  exportDir: string;
  files: number;
  itemCount: number;
  /** Bytes of the data files (compressed) this run wrote: a resumed export's earlier files are not counted. */
  bytes: number;
}

/** AWS's export ids look like `01700000000000-a1b2c3d4`: a millisecond timestamp and a random tail. */
export function newExportId(now = Date.now()): string {
  return `${String(now).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A data file name as AWS makes them: 26 random base32 letters, `.json.gz`. */
export function newDataFileName(): string {
  let bits = 0n;
  for (const byte of randomBytes(17)) bits = (bits << 8n) | BigInt(byte);
  let name = '';
  for (let i = 0; i < 26; i++) {
    name += BASE32[Number(bits & 31n)];
    bits >>= 5n;
  }
  return `${name}.json.gz`;
}

/**
 * Writes items into an export in AWS's DYNAMODB_JSON layout, in a directory or in S3 (through an
 * ExportStorage). Used as the engine's Sink: batches of one scan segment go to that segment's data
 * file, one batch at a time, and a file past `maxFileBytes` is closed so the segment's next batch
 * starts a new part. The storage makes each file durable as it closes; `finish` then writes the
 * manifests, manifest-summary.json last, so an export folder without it did not complete (the
 * reader ignores it). `abort` deletes everything this export wrote.
 */
export class ExportDirSink implements Sink {
  readonly capabilities: Capabilities = {
    parallelScan: true,
    // No table to create or delete here: the definition is written by finish().
    schema: false,
    consistentRead: false,
    validItems: true,
  };
  /** Where the export folder is (a path or an s3:// URL), for messages and the summary. */
  readonly exportDir: string;
  /** `AWSDynamoDB/<exportId>`, relative to the storage's root. */
  private readonly exportKey: string;
  /** Parts not sealed yet, in the order they were begun. */
  private files: DataFile[] = [];
  /** Manifest lines of sealed segments (earlier runs' and this one's), by segment. */
  private readonly sealed = new Map<number, ManifestFileEntry[]>();
  /** Seals under way: their parts are closing and must be neither written to nor discarded. */
  private readonly sealing = new Map<number, Promise<ManifestFileEntry[]>>();
  /** The part each segment writes to now; Map order is least recently written first. */
  private readonly current = new Map<number, DataFile>();
  /** Every key this export began to write: what `abort` deletes. */
  private readonly written = new Set<string>();
  private readonly startTime: Date;
  private readonly maxFileBytes: number;
  private readonly maxOpenFiles: number;
  private readonly onPartBegin: ExportSinkOptions['onPartBegin'];
  private finished = false;
  /** Compressed bytes of the parts sealed by this run. */
  private bytesStored = 0;

  private constructor(
    readonly storage: ExportStorage,
    readonly exportId: string,
    options: ExportSinkOptions,
  ) {
    this.exportKey = joinKey(EXPORTS_FOLDER, exportId);
    this.exportDir = storage.describe(this.exportKey);
    this.maxFileBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
    this.maxOpenFiles = Math.max(1, options.maxOpenFiles ?? MAX_OPEN_FILES);
    this.startTime = options.startTime ?? new Date();
    this.onPartBegin = options.onPartBegin;
    for (const segment of options.sealed ?? []) this.sealed.set(segment.segment, [...segment.files]);
  }

  /**
   * Begins a new export under `storage`, or continues the one named by `exportId` with the segments
   * in `sealed` kept: writes `AWSDynamoDB/<exportId>/_started`, as AWS does, so a bucket that does
   * not exist or refuses writes fails before the table is scanned.
   */
  static async create(storage: ExportStorage, options: ExportSinkOptions = {}): Promise<ExportDirSink> {
    const sink = new ExportDirSink(storage, options.exportId ?? newExportId(), options);
    try {
      await sink.store(STARTED_FILE, '');
    } catch (error) {
      storage.close();
      throw error;
    }
    return sink;
  }

  async describe(): Promise<TableDescription | undefined> {
    return undefined;
  }

  async deleteTable(): Promise<void> {
    throw new ForbiddenOperationError('An export directory has no table to delete.');
  }

  async createTable(_input: CreateTableCommandInput): Promise<TableDescription> {
    throw new ForbiddenOperationError('An export directory has no table to create.');
  }

  async applySetting(): Promise<'applied' | Unsupported> {
    // Settings travel in ddbcopy-table.json, not as calls.
    return 'unsupported';
  }

  /** Appends the batch to `segment`'s current data file (batches without a segment share one). */
  async writeBatch(items: Item[], _signal?: AbortSignal, segment = NO_SEGMENT): Promise<WriteResult> {
    if (this.finished) throw new Error('writeBatch after finish');
    // A bug, not a user error: the engine skips sealed segments, and a segment is sealed once done.
    if (this.sealed.has(segment) || this.sealing.has(segment)) {
      throw new Error(`writeBatch for segment ${segment}, which is sealed`);
    }
    let text = '';
    // wireJson turns Uint8Array binaries (from sources other than DynamoDB's wire) into base64.
    for (const item of items) text += `{"Item":${wireJson(item)}}\n`;
    const file = this.fileFor(segment);
    // Counted now, not after the write: the next batch must already see whether this part is full.
    file.itemCount += items.length;
    file.textBytes += Buffer.byteLength(text);
    const write = file.tail.then(() => append(file.gzip, text));
    file.tail = write.catch(() => {});
    if (file.textBytes >= this.maxFileBytes) this.retire(file);
    await write;
    return { consumedWrite: 0, throttled: false };
  }

  /**
   * Closes every data file and waits until the storage holds them, then writes manifest-files.json,
   * ddbcopy-table.json and, last, manifest-summary.json.
   */
  async finish(snapshot: TableSnapshot): Promise<ExportResult> {
    await Promise.allSettled(this.sealing.values());
    // AWS writes at least one (possibly empty) file; an empty table exports the same way.
    const anyFile = [...this.sealed.values()].some((files) => files.length > 0);
    if (this.files.length === 0 && !anyFile) this.fileFor(NO_SEGMENT);
    this.finished = true;
    const open = new Set(this.files.map((file) => file.segment));
    await Promise.all([...open].map((segment) => this.sealSegment(segment)));
    const bytes = this.bytesStored;
    // Segment order, whichever run wrote them: a resumed export lists the same way as one in one go.
    const entries = [...this.sealed.entries()].sort(([a], [b]) => a - b).flatMap(([, files]) => files);
    const itemCount = entries.reduce((sum, entry) => sum + entry.itemCount, 0);
    await this.store(FILES_MANIFEST, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    await this.store(TABLE_FILE, `${JSON.stringify(snapshot, null, 2)}\n`);
    const table = snapshot.table;
    const tableArn = table.TableArn ?? '';
    const s3 = this.storage.s3;
    const summary: ManifestSummary = {
      version: '2020-06-30',
      exportArn: `${tableArn}/export/${this.exportId}`,
      startTime: this.startTime.toISOString(),
      endTime: new Date().toISOString(),
      tableArn,
      tableId: table.TableId ?? '',
      exportTime: this.startTime.toISOString(),
      // A local directory has no bucket: keys are relative to DIR.
      s3Bucket: s3?.bucket ?? null,
      s3Prefix: s3?.prefix ? s3.prefix : null,
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: this.storage.objectKey(joinKey(this.exportKey, FILES_MANIFEST)),
      billedSizeBytes: 0,
      itemCount,
      outputFormat: 'DYNAMODB_JSON',
    };
    await this.store(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
    return { exportId: this.exportId, exportDir: this.exportDir, files: entries.length, itemCount, bytes };
  }

  /**
   * Ends `segment`'s data files: its current part is closed, and once the storage holds every part
   * of it, their manifest lines are returned (empty for a segment that had no items). Call it once
   * the segment has no more batches (the engine reports it done); afterwards its files are final:
   * `suspend` keeps them, `finish` lists them. Rejects when a part could not be stored; the segment
   * is then not sealed.
   */
  sealSegment(segment: number): Promise<ManifestFileEntry[]> {
    const done = this.sealed.get(segment);
    if (done) return Promise.resolve(done);
    const under = this.sealing.get(segment);
    if (under) return under;
    const parts = this.files.filter((file) => file.segment === segment);
    for (const part of parts) this.retire(part);
    const sealing = (async () => {
      try {
        await Promise.all(parts.map((file) => file.tail));
        await Promise.all(parts.map((file) => file.stored));
        const entries = parts.map((file) => this.entryOf(file));
        this.files = this.files.filter((file) => !parts.includes(file));
        this.bytesStored += parts.reduce((sum, file) => sum + file.bytes, 0);
        this.sealed.set(segment, entries);
        return entries;
      } finally {
        this.sealing.delete(segment);
      }
    })();
    this.sealing.set(segment, sealing);
    return sealing;
  }

  /** The segments sealed so far (earlier runs' included), in segment order. */
  sealedSegments(): SealedSegment[] {
    return [...this.sealed.entries()]
      .sort(([a], [b]) => a - b)
      .map(([segment, files]) => ({ segment, files: [...files] }));
  }

  /** Keys of the data files begun for segments not sealed (what `suspend` deletes). */
  unsealedKeys(): string[] {
    return this.files.map((file) => file.key);
  }

  /**
   * Stops every data file, waits until no write is in flight, then deletes everything this export
   * wrote (a failed run leaves nothing that looks like an export, and nothing to pay for in S3).
   * A resumed export's earlier files are not this sink's to delete: use `discardExport` for those.
   */
  async abort(): Promise<void> {
    this.finished = true;
    await Promise.allSettled(this.sealing.values());
    const aborted = new Error('The export was aborted.');
    for (const file of this.files) file.gzip.destroy(aborted);
    await Promise.allSettled(this.files.map((file) => file.stored));
    await this.storage.delete([...this.written]);
  }

  /**
   * Stops the export so that a later run can resume it: waits for seals under way, stops the data
   * files of segments not sealed and deletes them (those segments are scanned again from their
   * start), and keeps sealed segments' files and `_started`. Rejects when deleting fails; the files
   * are then still named by `unsealedKeys()`.
   */
  async suspend(): Promise<void> {
    this.finished = true;
    await Promise.allSettled(this.sealing.values());
    const aborted = new Error('The export was interrupted.');
    for (const file of this.files) file.gzip.destroy(aborted);
    await Promise.allSettled(this.files.map((file) => file.stored));
    await discardParts(
      this.storage,
      this.files.map((file) => file.key),
    );
    this.files = [];
  }

  /** Releases the storage's connections. */
  close(): void {
    this.storage.close();
  }

  /** The segment's current part, begun if needed; the least recently written part is closed past the limit. */
  private fileFor(segment: number): DataFile {
    const open = this.current.get(segment);
    if (open) {
      // Re-inserted: Map order is the order of last use.
      this.current.delete(segment);
      this.current.set(segment, open);
      return open;
    }
    const file = this.begin(segment);
    this.current.set(segment, file);
    for (const oldest of this.current.values()) {
      if (this.current.size <= this.maxOpenFiles) break;
      this.retire(oldest);
    }
    return file;
  }

  /** The manifest line of a stored part. */
  private entryOf(file: DataFile): ManifestFileEntry {
    if (!file.entry) {
      const digest = file.md5.digest();
      file.entry = {
        itemCount: file.itemCount,
        md5Checksum: digest.toString('base64'),
        etag: digest.toString('hex'),
        dataFileS3Key: this.storage.objectKey(file.key),
      };
    }
    return file.entry;
  }

  private begin(segment: number): DataFile {
    const key = joinKey(this.exportKey, DATA_FOLDER, newDataFileName());
    const gzip = createGzip();
    const md5 = createHash('md5');
    const file: DataFile = {
      key,
      segment,
      gzip,
      md5,
      stored: Promise.resolve(),
      tail: Promise.resolve(),
      itemCount: 0,
      textBytes: 0,
      bytes: 0,
      retired: false,
    };
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        file.bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // An error on either stream destroys both; the storage sees it as its body failing.
    const body: Readable = pipeline(gzip, tap, () => {});
    this.written.add(key);
    // Listed before `onPartBegin` runs, so a record made from unsealedKeys() during it names the file.
    this.files.push(file);
    const announce = this.onPartBegin;
    // Named in the run record before it exists: a crash cannot leave a file nobody knows to delete.
    file.stored = announce
      ? announce(key, segment).then(() => this.storage.write(key, body))
      : this.storage.write(key, body);
    // When the storage stops reading (S3 refused, disk full), pending writes must fail, not wait
    // for a drain that never comes. finish/abort observe `stored` itself.
    file.stored.catch((error) => gzip.destroy(error));
    return file;
  }

  /** No more batches go to this part: it is ended once the writes queued on it are done. */
  private retire(file: DataFile): void {
    if (file.retired) return;
    file.retired = true;
    if (this.current.get(file.segment) === file) this.current.delete(file.segment);
    file.tail = file.tail.then(() => {
      file.gzip.end();
    });
  }

  private async store(name: string, text: string): Promise<void> {
    const key = joinKey(this.exportKey, name);
    this.written.add(key);
    await writeText(this.storage, key, text);
  }
}

/** A data file's key relative to the storage's root (a manifest line names it with the S3 prefix). */
export function dataFileKey(exportId: string, entry: ManifestFileEntry): string {
  return joinKey(EXPORTS_FOLDER, exportId, DATA_FOLDER, baseName(entry.dataFileS3Key));
}

/**
 * The first of the sealed segments' data files that the storage no longer holds, or undefined:
 * a resumed export lists them in its manifest, so they must all still be there.
 */
export async function missingSealedFile(
  storage: ExportStorage,
  exportId: string,
  sealed: readonly SealedSegment[],
): Promise<string | undefined> {
  const keys = sealed.flatMap((segment) => segment.files.map((file) => dataFileKey(exportId, file)));
  // A few requests at a time: an S3 HEAD each.
  for (let from = 0; from < keys.length; from += 16) {
    const chunk = keys.slice(from, from + 16);
    const found = await Promise.all(chunk.map((key) => storage.exists(key)));
    const missing = chunk.find((_, index) => !found[index]);
    if (missing !== undefined) return storage.describe(missing);
  }
  return undefined;
}

/**
 * Deletes data files that must not become part of an export (of segments not sealed). A directory
 * storage writes each file as `<name>.tmp` and renames it once complete, so after a crash the `.tmp`
 * may be what exists: it is deleted too.
 */
export async function discardParts(storage: ExportStorage, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const local = storage.s3 === undefined;
  await storage.delete(local ? keys.flatMap((key) => [key, `${key}.tmp`]) : keys);
}

/**
 * Deletes an unfinished export folder, whose objects a run record names: the sealed segments' files,
 * the files begun for other segments, and the export's own small files (`_started`, and the manifests
 * if a run stopped while writing them). Used by `--restart`.
 */
export async function discardExport(
  storage: ExportStorage,
  exportId: string,
  sealed: readonly SealedSegment[],
  unsealedKeys: readonly string[],
): Promise<void> {
  const folder = joinKey(EXPORTS_FOLDER, exportId);
  const dataKeys = sealed.flatMap((segment) => segment.files.map((file) => dataFileKey(exportId, file)));
  const ownFiles = [SUMMARY_FILE, FILES_MANIFEST, TABLE_FILE, STARTED_FILE].map((name) =>
    joinKey(folder, name),
  );
  // _started last: with it gone the folder is unmistakably not an export in progress.
  await discardParts(storage, [...dataKeys, ...unsealedKeys, ...ownFiles]);
}

/** Writes `text` to the gzip stream, waiting for it to drain when its buffer is full. */
function append(gzip: Gzip, text: string): Promise<void> {
  if (gzip.destroyed) {
    return Promise.reject(gzip.errored ?? new Error('The data file was closed before the export finished.'));
  }
  if (gzip.write(text)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown): void => {
      gzip.off('drain', onDrain);
      gzip.off('error', onError);
      gzip.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onError = (error: unknown): void => settle(error);
    const onClose = (): void =>
      settle(gzip.errored ?? new Error('The data file was closed before it drained.'));
    gzip.once('drain', onDrain);
    gzip.once('error', onError);
    gzip.once('close', onClose);
  });
}
