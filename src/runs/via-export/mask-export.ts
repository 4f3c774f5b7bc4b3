/**
 * Between AWS's export and the import: the export's data files rewritten with the item stage (masks,
 * a transform) into a masked copy, which ImportTable then reads instead. Per data file the manifest
 * lists: GetObject → gunzip → lines → `{"Item":...}` parsed → the stage (a dropped item is left out) →
 * `{"Item":...}` line → gzip → multipart upload, streamed (the export-dir store's reader and writer),
 * a few files at a time. The copy is an export in AWS's layout of its own, `<masked>/AWSDynamoDB/<id>/`,
 * whose `data/` holds only the masked data files; AWS's export is only read.
 *
 * Counts are checked per file: the lines read are the manifest's itemCount, and the lines written are
 * the items the stage kept; what it left out (dropped or rejected by a transform) is the difference.
 */

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ItemStage } from '../../engine/copy/item-stage.js';
import { ExportFileError } from '../../errors.js';
import { checkItem, type KeyTypes } from '../../model/item-check.js';
import { itemSize } from '../../model/item-size.js';
import {
  createExportSink,
  type ExportDirSink,
  type ExportDirSource,
  openExportDir,
  openSource,
  type S3Settings,
} from '../../stores/open.js';
import type { SigningIdentity, TableSnapshot } from '../../stores/types.js';

/**
 * Data files rewritten at once. Each holds a page of items, a gunzip and a gzip state and, in S3, up
 * to two 5 MiB parts of its upload: memory stays bounded whatever the files' sizes.
 */
export const MASK_FILES_AT_ONCE = 4;

export interface MaskExportInput {
  /** AWS's export folder, `.../AWSDynamoDB/<exportId>`, as an export-dir location (s3:// or a path). */
  exportLocation: string;
  /** Where the masked copy goes (`<prefix>/masked`): it gets `AWSDynamoDB/<exportId>/` under it. */
  maskedLocation: string;
  exportId: string;
  /** Whose credentials read the export and write the copy. */
  signer: SigningIdentity;
  s3?: S3Settings | undefined;
  stage: ItemStage;
  /** The table's key attributes and their types: every changed item is checked against them. */
  keyAttributes: readonly string[];
  keyTypes: KeyTypes;
  /** Written beside the copy's manifests (ddbcopy-table.json), so `ddbcopy import` can read the copy. */
  snapshot: TableSnapshot;
  concurrency?: number;
  signal?: AbortSignal | undefined;
  /** Told after each data file is rewritten. */
  onFile?: (progress: MaskProgress) => void;
}

/** How far the masking got: files done of the export's, items read and written so far. */
export interface MaskProgress {
  filesDone: number;
  files: number;
  itemsRead: number;
  itemsWritten: number;
}

/** What the masked copy holds. */
export interface MaskedExport {
  /** Where the copy is (`s3://bucket/<prefix>/masked/AWSDynamoDB/<id>` or a path). */
  exportDir: string;
  /** Data files of AWS's export that were read. */
  filesRead: number;
  /** Data files of the copy. */
  filesWritten: number;
  /** Items (lines) of AWS's export: its manifest's itemCount. */
  itemsRead: number;
  /** Items (lines) of the copy: the ones the stage kept. */
  itemsWritten: number;
  /** Compressed bytes of the copy. */
  bytes: number;
}

/**
 * Writes, then deletes, an empty object under `maskedLocation`: the credentials that will write the
 * masked copy may, checked before AWS's export runs for minutes or hours. Throws the storage's typed
 * error (access denied, no such bucket) naming the bucket and key.
 */
export async function probeMaskedLocation(input: {
  maskedLocation: string;
  signer: SigningIdentity;
  s3?: S3Settings | undefined;
}): Promise<void> {
  const storage = await openExportDir({
    store: 'export-dir',
    location: input.maskedLocation,
    flag: 'out',
    s3: input.s3,
    signer: input.signer,
  });
  try {
    const key = `ddbcopy-write-check-${randomUUID()}`;
    await storage.write(key, Readable.from([Buffer.alloc(0)]));
    await storage.delete([key]);
  } finally {
    storage.close();
  }
}

/**
 * Rewrites every data file of the export at `exportLocation` into a copy under `maskedLocation`.
 * On failure or interrupt everything the copy wrote is deleted (the export itself is never touched),
 * and the first error is thrown.
 */
export async function maskExport(input: MaskExportInput): Promise<MaskedExport> {
  const source = await openSource({
    store: 'export-dir',
    location: input.exportLocation,
    flag: 'from',
    s3: input.s3,
    signer: input.signer,
  });
  let sink: ExportDirSink | undefined;
  try {
    const storage = await openExportDir({
      store: 'export-dir',
      location: input.maskedLocation,
      flag: 'out',
      s3: input.s3,
      signer: input.signer,
    });
    sink = await createExportSink(storage, { exportId: input.exportId });
    const counts = await rewriteFiles(input, source, sink);
    const result = await sink.finish(input.snapshot);
    if (result.itemCount !== counts.itemsWritten) {
      throw new Error(
        `bug: the masked copy's manifest counts ${result.itemCount} items, ${counts.itemsWritten} were written`,
      );
    }
    return {
      exportDir: result.exportDir,
      filesRead: source.files.length,
      filesWritten: result.files,
      itemsRead: counts.itemsRead,
      itemsWritten: counts.itemsWritten,
      bytes: result.bytes,
    };
  } catch (error) {
    // Nothing half-masked stays behind to be imported by mistake.
    await sink?.abort().catch(() => {});
    throw error;
  } finally {
    source.close();
    sink?.close();
  }
}

/** Every data file through the stage, `concurrency` at a time; the first failure stops the others. */
async function rewriteFiles(
  input: MaskExportInput,
  source: ExportDirSource,
  sink: ExportDirSink,
): Promise<{ itemsRead: number; itemsWritten: number }> {
  const files = source.files.length;
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const progress: MaskProgress = { filesDone: 0, files, itemsRead: 0, itemsWritten: 0 };
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < files && !failure) {
      const index = next++;
      try {
        const counts = await rewriteFile(input, source, sink, index, signal);
        progress.filesDone += 1;
        progress.itemsRead += counts.read;
        progress.itemsWritten += counts.written;
        input.onFile?.({ ...progress });
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(input.concurrency ?? MASK_FILES_AT_ONCE, files) }, () => worker()),
  );
  // An interrupt is reported as such, not as whichever read it cut short.
  input.signal?.throwIfAborted();
  if (failure) throw failure.error;
  return { itemsRead: progress.itemsRead, itemsWritten: progress.itemsWritten };
}

/**
 * One data file: its items, page by page, through the stage into the copy's file of the same
 * segment (the file's index). The reader checks the lines against the manifest's itemCount.
 */
async function rewriteFile(
  input: MaskExportInput,
  source: ExportDirSource,
  sink: ExportDirSink,
  index: number,
  signal: AbortSignal,
): Promise<{ read: number; written: number }> {
  const file = source.files[index]!;
  let read = 0;
  let written = 0;
  for await (const page of source.scan({ segment: index, totalSegments: source.files.length, signal })) {
    read += page.items.length;
    const staged = await input.stage.page(page.items, index);
    if (staged.items.length === 0) continue;
    // A mask or a transform can make an item too big or its key wrong: ImportTable would only log it.
    for (const item of staged.items) checkItem(item, input.keyAttributes, input.keyTypes, itemSize(item));
    await sink.writeBatch(staged.items, signal, index);
    written += staged.items.length;
  }
  const entries = await sink.sealSegment(index);
  const stored = entries.reduce((sum, entry) => sum + entry.itemCount, 0);
  if (read !== file.entry.itemCount || stored !== written) {
    throw new ExportFileError(
      `${file.path}: ${read} items read (the manifest says ${file.entry.itemCount}), ${written} kept, ${stored} in the masked copy.`,
      { side: 'source', hint: 'The export changed while it was being masked; run the copy again.' },
    );
  }
  return { read, written };
}
