import { createHash } from 'node:crypto';
import { pipeline, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import {
  type DdbCopyError,
  ExportDefinitionMissingError,
  ExportFileError,
  ItemRejectedError,
  isDdbCopyError,
} from '../../errors.js';
import { binaryBase64 } from '../../model/binary.js';
import { checkItem, type KeyTypes } from '../../model/item-check.js';
import type { Capabilities, Item, Key, Page, ScanOptions, Source, TableSnapshot } from '../types.js';
import { baseName, type ExportStorage, joinKey } from './export-storage.js';
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

/** A data file as the manifest lists it, with where it is in this storage. */
export interface ExportDataFile {
  entry: ManifestFileEntry;
  /** Its key in the storage (relative to the storage's root). */
  key: string;
  /** Where it is, for messages: a file path or an s3:// URL. */
  path: string;
}

export interface ExportCheck {
  files: number;
  items: number;
  /** Compressed bytes read. */
  bytes: number;
}

/**
 * Reads an export in AWS's DYNAMODB_JSON layout, in a directory or in S3 (written by `ddbcopy
 * export`, or by ExportTableToPointInTime, in its bucket or downloaded). Segment i reads the data files whose manifest position is
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

  /** Where the export folder is (a path or an s3:// URL), for messages and the summary. */
  readonly exportDir: string;

  private constructor(
    private readonly storage: ExportStorage,
    /** The export folder's key in the storage ('' when the storage's root is the folder itself). */
    private readonly exportKey: string,
    readonly summary: ManifestSummary,
    readonly files: readonly ExportDataFile[],
  ) {
    this.exportDir = storage.describe(exportKey);
  }

  get exportId(): string {
    return baseName(this.exportDir.replace(/[\\/]+$/, '').replaceAll('\\', '/'));
  }

  /** Releases the storage's connections. */
  close(): void {
    this.storage.close();
  }

  /** Items the manifest says the export holds. */
  get itemCount(): number {
    return this.files.reduce((sum, file) => sum + file.entry.itemCount, 0);
  }

  /**
   * Opens the storage's root: an export folder itself (holding manifest-summary.json), or a folder
   * with exactly one completed export under `AWSDynamoDB/`. Reads and checks both manifests; data
   * files are read by `verify` and `scan`.
   */
  static async open(storage: ExportStorage): Promise<ExportDirSource> {
    try {
      return await ExportDirSource.read(storage);
    } catch (error) {
      storage.close();
      throw error;
    }
  }

  private static async read(storage: ExportStorage): Promise<ExportDirSource> {
    const exportKey = await findExport(storage);
    const summaryPath = storage.describe(joinKey(exportKey, SUMMARY_FILE));
    const summary = (await readJsonFile(storage, joinKey(exportKey, SUMMARY_FILE))) as ManifestSummary;
    if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) {
      throw new ExportFileError(`${summaryPath} is not a JSON object.`, { side: 'source' });
    }
    if (summary.outputFormat !== undefined && summary.outputFormat !== 'DYNAMODB_JSON') {
      throw new ExportFileError(
        `${summaryPath} says the export is in ${summary.outputFormat}; only DYNAMODB_JSON can be read.`,
        { side: 'source', hint: 'Export the table again with --export-format DYNAMODB_JSON.' },
      );
    }
    const manifestPath = storage.describe(joinKey(exportKey, FILES_MANIFEST));
    const text = await readText(storage, joinKey(exportKey, FILES_MANIFEST));
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
      // AWS data files always sit directly in data/; the key's prefix differs once the export is
      // downloaded or copied to another bucket or prefix, so only the name is taken from it.
      const key = joinKey(exportKey, DATA_FOLDER, baseName(entry.dataFileS3Key));
      files.push({ entry, key, path: storage.describe(key) });
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
    return new ExportDirSource(storage, exportKey, summary, files);
  }

  /** The table definition written by `ddbcopy export`; AWS's own exports carry none. */
  async describe(): Promise<TableSnapshot> {
    const key = joinKey(this.exportKey, TABLE_FILE);
    const file = this.storage.describe(key);
    if (!(await this.storage.exists(key))) {
      throw new ExportDefinitionMissingError(
        `The export in ${this.exportDir} has no table definition (${TABLE_FILE}); AWS's own exports carry none.`,
        {
          side: 'source',
          hint: `Create the target table yourself and add a ${TABLE_FILE} (a TableSnapshot, as ddbcopy export writes it), or export the table with ddbcopy export.`,
        },
      );
    }
    const snapshot = (await readJsonFile(this.storage, key)) as TableSnapshot;
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
  async verify(signal?: AbortSignal, keyTypes?: KeyTypes): Promise<ExportCheck> {
    const keyAttributes = keyTypes ? Object.keys(keyTypes) : [];
    let bytes = 0;
    let items = 0;
    for (let index = 0; index < this.files.length; index++) {
      signal?.throwIfAborted();
      const file = this.files[index]!;
      const md5 = createHash('md5');
      let count = 0;
      for await (const { lineNumber, text } of readLines(this.storage, file, signal, (chunk) => {
        md5.update(chunk);
        bytes += chunk.length;
      })) {
        const item = parseItem(text, file.path, lineNumber);
        if (keyTypes) checkKey(item, keyAttributes, keyTypes, file.path, lineNumber);
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

  /**
   * Yields the items of segment `segment`'s data files in file and line order. `startKey` is where a
   * previous run got to: a synthetic position (a page's lastKey), or the key of the last item of a
   * written batch, which is found again by reading the segment up to it.
   */
  async *scan(options: ScanOptions): AsyncIterable<Page> {
    const pageSize = Math.max(1, Math.min(options.limit ?? MAX_PAGE_ITEMS, MAX_PAGE_ITEMS));
    const start = options.startKey && isPosition(options.startKey) ? positionOf(options.startKey) : undefined;
    // Items up to and including this key were written already.
    let skipThrough = options.startKey && !start ? options.startKey : undefined;
    let pending: Page | undefined;
    for (let index = options.segment; index < this.files.length; index += options.totalSegments) {
      if (start && index < start.file) continue;
      const file = this.files[index]!;
      let items: Item[] = [];
      let count = 0;
      for await (const { lineNumber, text } of readLines(this.storage, file, options.signal)) {
        options.signal?.throwIfAborted();
        const item = parseItem(text, file.path, lineNumber);
        count += 1;
        if (start && index === start.file && lineNumber <= start.line) continue;
        if (skipThrough) {
          if (sameKey(item, skipThrough)) skipThrough = undefined;
          continue;
        }
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
    if (skipThrough) {
      throw new ExportFileError(
        `The item ${JSON.stringify(skipThrough)} where segment ${options.segment} stopped is not in its data files.`,
        {
          side: 'source',
          hint: 'The export changed since the run that saved this checkpoint; pass --restart to import it from the start.',
        },
      );
    }
    yield { items: pending?.items ?? [], lastKey: undefined, consumedRead: 0 };
  }
}

function isPosition(key: Key): boolean {
  return key['ddbcopy:file'] !== undefined;
}

/** Whether the item has exactly this key's attribute values (S, N, or B as base64). */
function sameKey(item: Item, key: Key): boolean {
  for (const [name, want] of Object.entries(key)) {
    const have = item[name];
    if (!have) return false;
    if (want.S !== undefined ? have.S !== want.S : want.N !== undefined ? have.N !== want.N : false)
      return false;
    if (want.B !== undefined && (have.B === undefined || binaryBase64(have.B) !== binaryBase64(want.B)))
      return false;
  }
  return true;
}

function checkKey(
  item: Item,
  keyAttributes: readonly string[],
  keyTypes: KeyTypes,
  file: string,
  line: number,
): void {
  try {
    checkItem(item, keyAttributes, keyTypes);
  } catch (error) {
    if (!(error instanceof ItemRejectedError)) throw error;
    throw new ItemRejectedError(`${file} line ${line}: ${error.message}`, {
      side: 'source',
      ...(error.hint ? { hint: error.hint } : {}),
    });
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
  storage: ExportStorage,
  file: ExportDataFile,
  signal: AbortSignal | undefined,
  onBytes?: (chunk: Buffer) => void,
): AsyncGenerator<{ lineNumber: number; text: string }> {
  let input: Awaited<ReturnType<ExportStorage['read']>>;
  try {
    input = await storage.read(file.key, signal);
  } catch (error) {
    throw fileError(file.path, error);
  }
  if (!input) throw missingDataFile(file.path);
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes?.(chunk);
      callback(null, chunk);
    },
  });
  // The callback form returns the last stream; an error anywhere destroys it, so the loop throws.
  const lines = pipeline(input, tap, createGunzip(), () => {});
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
    throw fileError(file.path, error);
  } finally {
    lines.destroy();
  }
  rest += decoder.end();
  if (rest.trim() !== '') yield { lineNumber: lineNumber + 1, text: rest };
}

function missingDataFile(file: string, cause?: unknown): ExportFileError {
  return new ExportFileError(`The data file ${file} is missing.`, {
    side: 'source',
    cause,
    hint: 'Every file manifest-files.json lists must be present; copy the whole export folder.',
  });
}

/** A read failure as our error: the storage's typed errors (S3 access, reachability) pass through. */
function fileError(file: string, error: unknown): DdbCopyError {
  if (isDdbCopyError(error)) return error;
  const code = (error as { code?: string })?.code;
  if (code === 'ENOENT') return missingDataFile(file, error);
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

async function readText(storage: ExportStorage, key: string): Promise<string> {
  const file = storage.describe(key);
  let text: string | undefined;
  try {
    text = await storage.readText(key);
  } catch (error) {
    throw fileError(file, error);
  }
  if (text === undefined) {
    throw new ExportFileError(`${file} is missing.`, {
      side: 'source',
      hint: 'The export is incomplete; copy the whole export folder, or export the table again.',
    });
  }
  return text;
}

async function readJsonFile(storage: ExportStorage, key: string): Promise<unknown> {
  const file = storage.describe(key);
  const text = await readText(storage, key);
  try {
    return JSON.parse(text);
  } catch {
    throw new ExportFileError(`${file} is not valid JSON.`, { side: 'source' });
  }
}

/** The export folder the storage's root names: itself, or the one completed export under `AWSDynamoDB/`. */
async function findExport(storage: ExportStorage): Promise<string> {
  if (await storage.exists(SUMMARY_FILE)) return '';
  const found: string[] = [];
  for (const name of await storage.listFolders(EXPORTS_FOLDER)) {
    const folder = joinKey(EXPORTS_FOLDER, name);
    if (await storage.exists(joinKey(folder, SUMMARY_FILE))) found.push(folder);
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new ExportFileError(
      `No completed export found in ${storage.root}: no ${EXPORTS_FOLDER}/<id>/${SUMMARY_FILE}.`,
      {
        side: 'source',
        hint: 'Point --from at the location given to ddbcopy export --out (or an AWS export), or at the export folder itself. An export without manifest-summary.json did not complete.',
      },
    );
  }
  throw new ExportFileError(
    `${storage.root} holds ${found.length} exports: ${found.map(baseName).join(', ')}.`,
    {
      side: 'source',
      hint: `Point --from at one of them, e.g. ${storage.describe(found[0]!)}.`,
    },
  );
}
