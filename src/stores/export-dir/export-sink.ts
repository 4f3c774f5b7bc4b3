import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { CreateTableCommandInput, TableDescription } from '@aws-sdk/client-dynamodb';
import { ForbiddenOperationError } from '../../errors.js';
import { wireJson } from '../dynamodb/wire-client.js';
import type { Capabilities, Item, Sink, TableSnapshot, Unsupported, WriteResult } from '../types.js';
import {
  DATA_FOLDER,
  EXPORTS_FOLDER,
  FILES_MANIFEST,
  type ManifestFileEntry,
  type ManifestSummary,
  SUMMARY_FILE,
  TABLE_FILE,
} from './layout.js';

/** One data file being written: gzip → md5 of the compressed bytes → `<name>.json.gz.tmp`. */
interface DataFile {
  name: string;
  gzip: Gzip;
  done: Promise<void>;
  md5: ReturnType<typeof createHash>;
  itemCount: number;
}

/** What `finish` returns: where the export is and what it holds. */
export interface ExportResult {
  exportId: string;
  /** `DIR/AWSDynamoDB/<exportId>`. */
  exportDir: string;
  files: number;
  itemCount: number;
  /** Bytes of the data files on disk (compressed). */
  bytes: number;
}

/** AWS's export ids look like `01700000000000-a1b2c3d4`: a millisecond timestamp and a random tail. */
export function newExportId(now = Date.now()): string {
  return `${String(now).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes items into an export directory in AWS's DYNAMODB_JSON layout. Used as the engine's Sink:
 * the engine calls writeBatch from several writers at once, so each call takes a data file nobody
 * else is writing (a new one when all are busy): at most one file per concurrent writer, each written
 * by one caller at a time, no interleaved lines. Files carry `.tmp` names until `finish` has closed
 * and checksummed them; manifest-summary.json is written last, so a directory without it is an
 * export that did not complete (the reader ignores it).
 */
export class ExportDirSink implements Sink {
  readonly capabilities: Capabilities = {
    parallelScan: true,
    // No table to create or delete here: the definition is written by finish().
    schema: false,
    consistentRead: false,
    validItems: true,
  };
  readonly exportDir: string;
  private readonly files: DataFile[] = [];
  private readonly idle: DataFile[] = [];
  private readonly startTime = new Date();
  private finished = false;

  private constructor(
    readonly root: string,
    readonly exportId: string,
  ) {
    this.exportDir = path.join(root, EXPORTS_FOLDER, exportId);
  }

  /** Creates `root/AWSDynamoDB/<exportId>/data/` for a new export. */
  static async create(root: string, exportId = newExportId()): Promise<ExportDirSink> {
    const sink = new ExportDirSink(path.resolve(root), exportId);
    await mkdir(path.join(sink.exportDir, DATA_FOLDER), { recursive: true });
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

  async writeBatch(items: Item[]): Promise<WriteResult> {
    if (this.finished) throw new Error('writeBatch after finish');
    const file = this.idle.pop() ?? this.openFile();
    try {
      let text = '';
      // wireJson turns Uint8Array binaries (from sources other than DynamoDB's wire) into base64.
      for (const item of items) text += `{"Item":${wireJson(item)}}\n`;
      file.itemCount += items.length;
      if (!file.gzip.write(text)) {
        await new Promise<void>((resolve, reject) => {
          const onError = (error: unknown): void => {
            file.gzip.off('drain', onDrain);
            reject(error);
          };
          const onDrain = (): void => {
            file.gzip.off('error', onError);
            resolve();
          };
          file.gzip.once('drain', onDrain);
          file.gzip.once('error', onError);
        });
      }
    } finally {
      this.idle.push(file);
    }
    return { consumedWrite: 0, throttled: false };
  }

  /**
   * Closes every data file, renames it to its final name, then writes manifest-files.json,
   * ddbcopy-table.json and, last, manifest-summary.json (each through a temp file and a rename).
   */
  async finish(snapshot: TableSnapshot): Promise<ExportResult> {
    this.finished = true;
    for (const file of this.files) file.gzip.end();
    await Promise.all(this.files.map((file) => file.done));
    // AWS writes at least one (possibly empty) file; an empty table exports the same way.
    if (this.files.length === 0) {
      const empty = this.openFile();
      empty.gzip.end();
      await empty.done;
    }
    const entries: ManifestFileEntry[] = [];
    let bytes = 0;
    for (const file of this.files) {
      const final = path.join(this.exportDir, DATA_FOLDER, file.name);
      const handle = await open(`${final}.tmp`, 'r+');
      try {
        await handle.sync();
        bytes += (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      await rename(`${final}.tmp`, final);
      const digest = file.md5.digest();
      entries.push({
        itemCount: file.itemCount,
        md5Checksum: digest.toString('base64'),
        etag: digest.toString('hex'),
        dataFileS3Key: `${EXPORTS_FOLDER}/${this.exportId}/${DATA_FOLDER}/${file.name}`,
      });
    }
    const itemCount = entries.reduce((sum, entry) => sum + entry.itemCount, 0);
    await this.writeAtomically(FILES_MANIFEST, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    await this.writeAtomically(TABLE_FILE, `${JSON.stringify(snapshot, null, 2)}\n`);
    const table = snapshot.table;
    const tableArn = table.TableArn ?? '';
    const summary: ManifestSummary = {
      version: '2020-06-30',
      exportArn: `${tableArn}/export/${this.exportId}`,
      startTime: this.startTime.toISOString(),
      endTime: new Date().toISOString(),
      tableArn,
      tableId: table.TableId ?? '',
      exportTime: this.startTime.toISOString(),
      // A local directory: no bucket; the prefix is empty so keys are relative to DIR.
      s3Bucket: null,
      s3Prefix: null,
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: `${EXPORTS_FOLDER}/${this.exportId}/${FILES_MANIFEST}`,
      billedSizeBytes: 0,
      itemCount,
      outputFormat: 'DYNAMODB_JSON',
    };
    await this.writeAtomically(SUMMARY_FILE, `${JSON.stringify(summary, null, 2)}\n`);
    return { exportId: this.exportId, exportDir: this.exportDir, files: entries.length, itemCount, bytes };
  }

  /** Removes the unfinished export (a failed run leaves nothing that looks like an export). */
  async abort(): Promise<void> {
    this.finished = true;
    for (const file of this.files) file.gzip.destroy();
    await Promise.allSettled(this.files.map((file) => file.done));
    await rm(this.exportDir, { recursive: true, force: true });
  }

  private openFile(): DataFile {
    const name = `${String(this.files.length).padStart(5, '0')}-${randomBytes(8).toString('hex')}.json.gz`;
    const gzip = createGzip();
    const md5 = createHash('md5');
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        callback(null, chunk);
      },
    });
    const done = pipeline(
      gzip,
      tap,
      createWriteStream(path.join(this.exportDir, DATA_FOLDER, `${name}.tmp`)),
    );
    // Observed by finish/abort; a failing disk also surfaces through the next write's error.
    done.catch(() => {});
    const file: DataFile = { name, gzip, done, md5, itemCount: 0 };
    this.files.push(file);
    return file;
  }

  private async writeAtomically(name: string, text: string): Promise<void> {
    const target = path.join(this.exportDir, name);
    const handle = await open(`${target}.tmp`, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${target}.tmp`, target);
  }
}
