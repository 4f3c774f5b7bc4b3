import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { ExportDefinitionMissingError, ExportFileError } from '../../errors.js';
import type { Capabilities, Item, Key, Page, ScanOptions, Source, TableSnapshot } from '../types.js';
import {
  DATA_FOLDER,
  EXPORTS_FOLDER,
  FILES_MANIFEST,
  type ManifestFileEntry,
  type ManifestSummary,
  SUMMARY_FILE,
  TABLE_FILE,
} from './layout.js';

/** Items per page at most: the engine's batches and progress work in pages. */
const MAX_PAGE_ITEMS = 1000;

/** A data file as the manifest lists it, with where it is on this disk. */
export interface ExportDataFile {
  entry: ManifestFileEntry;
  path: string;
}

export interface ExportCheck {
  files: number;
  items: number;
  /** Compressed bytes read. */
  bytes: number;
}

/**
 * Reads an export directory in AWS's DYNAMODB_JSON layout (written by `ddbcopy export`, or by
 * ExportTableToPointInTime and downloaded). Segment i reads the data files whose manifest position is
 * i modulo the segment count. A page's `lastKey` is a synthetic position (file number, line number),
 * not an item key: enough for the engine's bookkeeping; resuming an import is not offered yet.
 */
export class ExportDirSource implements Source {
  readonly capabilities: Capabilities = {
    parallelScan: true,
    schema: true,
    consistentRead: false,
    // Files can hold anything: the engine checks item sizes and key types before writing.
    validItems: false,
  };

  private constructor(
    readonly exportDir: string,
    readonly summary: ManifestSummary,
    readonly files: readonly ExportDataFile[],
  ) {}

  get exportId(): string {
    return path.basename(this.exportDir);
  }

  /** Items the manifest says the export holds. */
  get itemCount(): number {
    return this.files.reduce((sum, file) => sum + file.entry.itemCount, 0);
  }

  /**
   * Opens `dir`: an export folder itself (holding manifest-summary.json), or a directory with exactly
   * one completed export under `AWSDynamoDB/`. Reads and checks both manifests; data files are read
   * by `verify` and `scan`.
   */
  static async open(dir: string): Promise<ExportDirSource> {
    const exportDir = await findExport(path.resolve(dir));
    const summaryPath = path.join(exportDir, SUMMARY_FILE);
    const summary = (await readJsonFile(summaryPath)) as ManifestSummary;
    if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) {
      throw new ExportFileError(`${summaryPath} is not a JSON object.`, { side: 'source' });
    }
    if (summary.outputFormat !== undefined && summary.outputFormat !== 'DYNAMODB_JSON') {
      throw new ExportFileError(
        `${summaryPath} says the export is in ${summary.outputFormat}; only DYNAMODB_JSON can be read.`,
        { side: 'source', hint: 'Export the table again with --export-format DYNAMODB_JSON.' },
      );
    }
    const manifestPath = path.join(exportDir, FILES_MANIFEST);
    const text = await readText(manifestPath);
    const files: ExportDataFile[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      let entry: ManifestFileEntry;
      try {
        entry = JSON.parse(line) as ManifestFileEntry;
      } catch {
        throw new ExportFileError(`${manifestPath} line ${i + 1} is not valid JSON.`, { side: 'source' });
      }
      if (
        typeof entry?.dataFileS3Key !== 'string' ||
        !Number.isSafeInteger(entry.itemCount) ||
        entry.itemCount < 0 ||
        typeof entry.md5Checksum !== 'string'
      ) {
        throw new ExportFileError(
          `${manifestPath} line ${i + 1} lacks dataFileS3Key, itemCount or md5Checksum.`,
          { side: 'source' },
        );
      }
      // AWS data files always sit directly in data/; the key's bucket prefix differs once downloaded.
      files.push({
        entry,
        path: path.join(exportDir, DATA_FOLDER, path.posix.basename(entry.dataFileS3Key)),
      });
    }
    if (typeof summary.itemCount === 'number') {
      const listed = files.reduce((sum, file) => sum + file.entry.itemCount, 0);
      if (listed !== summary.itemCount) {
        throw new ExportFileError(
          `${summaryPath} counts ${summary.itemCount} items but ${manifestPath} lists ${listed}.`,
          { side: 'source', hint: 'The export is incomplete or was edited; export the table again.' },
        );
      }
    }
    return new ExportDirSource(exportDir, summary, files);
  }

  /** The table definition written by `ddbcopy export`; AWS's own exports carry none. */
  async describe(): Promise<TableSnapshot> {
    const file = path.join(this.exportDir, TABLE_FILE);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      throw new ExportDefinitionMissingError(
        `The export in ${this.exportDir} has no table definition (${TABLE_FILE}); AWS's own exports carry none.`,
        {
          side: 'source',
          hint: `Create the target table yourself and add a ${TABLE_FILE} (a TableSnapshot, as ddbcopy export writes it), or export the table with ddbcopy export.`,
        },
      );
    }
    const snapshot = (await readJsonFile(file)) as TableSnapshot;
    if (!snapshot?.table?.KeySchema?.length || !snapshot.table.AttributeDefinitions?.length) {
      throw new ExportFileError(`${file} has no table with a key schema and attribute definitions.`, {
        side: 'source',
      });
    }
    return snapshot;
  }

  /**
   * Reads every data file once before anything is written: it must exist, match its manifest md5,
   * gunzip, hold one `{"Item": {...}}` JSON object per line and as many items as the manifest says.
   * Throws ExportFileError naming the first file that does not.
   */
  async verify(signal?: AbortSignal): Promise<ExportCheck> {
    let bytes = 0;
    let items = 0;
    for (let index = 0; index < this.files.length; index++) {
      signal?.throwIfAborted();
      const file = this.files[index]!;
      const md5 = createHash('md5');
      let count = 0;
      for await (const { lineNumber, text } of readLines(file.path, (chunk) => {
        md5.update(chunk);
        bytes += chunk.length;
      })) {
        parseItem(text, file.path, lineNumber);
        count += 1;
      }
      const digest = md5.digest();
      if (file.entry.md5Checksum !== digest.toString('base64')) {
        throw new ExportFileError(
          `${file.path} has md5 ${digest.toString('base64')}, but the manifest says ${file.entry.md5Checksum}.`,
          {
            side: 'source',
            hint: 'The file was changed or damaged after the export; export the table again.',
          },
        );
      }
      checkCount(file, count);
      items += count;
    }
    return { files: this.files.length, items, bytes };
  }

  async *scan(options: ScanOptions): AsyncIterable<Page> {
    const pageSize = Math.max(1, Math.min(options.limit ?? MAX_PAGE_ITEMS, MAX_PAGE_ITEMS));
    const start = options.startKey ? positionOf(options.startKey) : undefined;
    let pending: Page | undefined;
    for (let index = options.segment; index < this.files.length; index += options.totalSegments) {
      if (start && index < start.file) continue;
      const file = this.files[index]!;
      let items: Item[] = [];
      let count = 0;
      for await (const { lineNumber, text } of readLines(file.path)) {
        options.signal?.throwIfAborted();
        const item = parseItem(text, file.path, lineNumber);
        count += 1;
        if (start && index === start.file && lineNumber <= start.line) continue;
        items.push(item);
        if (items.length >= pageSize) {
          // One page held back, so the segment's last page can say it is the last (no lastKey).
          if (pending) yield pending;
          pending = { items, lastKey: keyOf(index, lineNumber), consumedRead: 0 };
          items = [];
        }
      }
      checkCount(file, count);
      if (items.length > 0) {
        if (pending) yield pending;
        pending = { items, lastKey: keyOf(index, Number.MAX_SAFE_INTEGER), consumedRead: 0 };
      }
    }
    yield { items: pending?.items ?? [], lastKey: undefined, consumedRead: 0 };
  }
}

/** The synthetic position after line `line` of data file `file`. */
function keyOf(file: number, line: number): Key {
  return { 'ddbcopy:file': { N: String(file) }, 'ddbcopy:line': { N: String(line) } };
}

function positionOf(key: Key): { file: number; line: number } {
  return { file: Number(key['ddbcopy:file']?.N ?? 0), line: Number(key['ddbcopy:line']?.N ?? 0) };
}

function checkCount(file: ExportDataFile, count: number): void {
  if (count !== file.entry.itemCount) {
    throw new ExportFileError(
      `${file.path} holds ${count} items, but the manifest says ${file.entry.itemCount}.`,
      { side: 'source', hint: 'The file is incomplete or was edited; export the table again.' },
    );
  }
}

function parseItem(text: string, file: string, lineNumber: number): Item {
  let parsed: { Item?: unknown };
  try {
    parsed = JSON.parse(text) as { Item?: unknown };
  } catch {
    throw new ExportFileError(
      `${file} line ${lineNumber} is not valid JSON (truncated or damaged): ${text.slice(0, 80)}`,
      { side: 'source', hint: 'The file is damaged; export the table again.' },
    );
  }
  const item = parsed?.Item;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new ExportFileError(`${file} line ${lineNumber} is not an {"Item": {...}} object.`, {
      side: 'source',
      hint: 'Only DYNAMODB_JSON exports can be read.',
    });
  }
  return item as Item;
}

/** The non-blank lines of a gzip file, streamed; `onBytes` sees the compressed bytes (for the md5). */
async function* readLines(
  file: string,
  onBytes?: (chunk: Buffer) => void,
): AsyncGenerator<{ lineNumber: number; text: string }> {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes?.(chunk);
      callback(null, chunk);
    },
  });
  // The callback form returns the last stream; an error anywhere destroys it, so the loop throws.
  const lines = pipeline(createReadStream(file), tap, createGunzip(), () => {});
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNumber = 0;
  try {
    for await (const chunk of lines) {
      rest += decoder.write(chunk as Buffer);
      let newline = rest.indexOf('\n');
      let from = 0;
      while (newline !== -1) {
        lineNumber += 1;
        const text = rest.slice(from, newline);
        if (text.trim() !== '') yield { lineNumber, text };
        from = newline + 1;
        newline = rest.indexOf('\n', from);
      }
      rest = rest.slice(from);
    }
  } catch (error) {
    throw fileError(file, error);
  } finally {
    lines.destroy();
  }
  rest += decoder.end();
  if (rest.trim() !== '') yield { lineNumber: lineNumber + 1, text: rest };
}

function fileError(file: string, error: unknown): ExportFileError {
  const code = (error as { code?: string })?.code;
  if (code === 'ENOENT') {
    return new ExportFileError(`The data file ${file} is missing.`, {
      side: 'source',
      cause: error,
      hint: 'Every file manifest-files.json lists must be present; copy the whole export folder.',
    });
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new ExportFileError(
      `${file} is not a valid gzip file (${(error as Error).message}): corrupted or truncated.`,
      { side: 'source', cause: error, hint: 'The file is damaged; copy or export it again.' },
    );
  }
  return new ExportFileError(`Cannot read ${file}: ${(error as Error)?.message ?? String(error)}`, {
    side: 'source',
    cause: error,
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw fileError(file, error);
  }
}

async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text);
  } catch {
    throw new ExportFileError(`${file} is not valid JSON.`, { side: 'source' });
  }
}

/** The export folder `dir` names: itself, or the one completed export under `dir/AWSDynamoDB/`. */
async function findExport(dir: string): Promise<string> {
  const isFile = (file: string): Promise<boolean> =>
    stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
  if (await isFile(path.join(dir, SUMMARY_FILE))) return dir;
  const parent = path.join(dir, EXPORTS_FOLDER);
  const names = await readdir(parent).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (await isFile(path.join(parent, name, SUMMARY_FILE))) found.push(path.join(parent, name));
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new ExportFileError(
      `No completed export found in ${dir}: no ${EXPORTS_FOLDER}/<id>/${SUMMARY_FILE}.`,
      {
        side: 'source',
        hint: 'Point --from at the directory given to ddbcopy export --out (or a downloaded AWS export), or at the export folder itself. An export without manifest-summary.json did not complete.',
      },
    );
  }
  throw new ExportFileError(
    `${dir} holds ${found.length} exports: ${found.map((f) => path.basename(f)).join(', ')}.`,
    {
      side: 'source',
      hint: `Point --from at one of them, e.g. ${found[0]}.`,
    },
  );
}
