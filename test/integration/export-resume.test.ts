/**
 * `export` is resumable by segment, on DynamoDB Local: an interrupted export keeps the files of the
 * segments it sealed and records them; a plain rerun is refused; `--resume` scans only the other
 * segments and lists every file once; `--restart` deletes the unfinished export and starts a new one;
 * files a crash leaves behind (an unsealed segment's finished part, a local `.tmp`) are deleted.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type ExportOptions, runExport } from '../../src/runs/export/run-export.js';
import { runImport } from '../../src/runs/import/run-import.js';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localSideConfig as side } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  itemsByKey,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-export-resume-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

function readRecord(file: string): CheckpointRecord {
  return JSON.parse(readFileSync(file, 'utf8')) as CheckpointRecord;
}

async function sourceTable(count: number): Promise<LocalAccount> {
  const src = newAccount(endpoint, 'eu-west-1');
  await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
  await putItems(accountClient(src), 'orders', variedItems(count, 17, KEYS));
  return src;
}

function exportOptions(src: LocalAccount, name: string): ExportOptions {
  return {
    source: side(src, 'orders'),
    out: path.join(scratch, name),
    segments: 4,
    consistentRead: false,
    // Paced, so the segments finish one after another and the interruption lands between them.
    readRate: { kind: 'units', units: 40 },
    checkpoint: path.join(scratch, `export-${randomUUID()}.json`),
  };
}

/** Runs the export and interrupts it as soon as its record shows a sealed segment. */
async function interruptedExport(options: ExportOptions) {
  const controller = new AbortController();
  const timer = setInterval(() => {
    try {
      if ((readRecord(options.checkpoint!).export?.sealed.length ?? 0) > 0) controller.abort();
    } catch {
      // Not written yet, or being replaced.
    }
  }, 5);
  try {
    return await runExport(options, { signal: controller.signal });
  } finally {
    clearInterval(timer);
  }
}

function manifestKeys(folder: string): { keys: string[]; itemCount: number } {
  const entries = readFileSync(path.join(folder, 'manifest-files.json'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { dataFileS3Key: string; itemCount: number });
  return {
    keys: entries.map((entry) => entry.dataFileS3Key),
    itemCount: entries.reduce((sum, entry) => sum + entry.itemCount, 0),
  };
}

describe('export --resume', () => {
  it('an interrupted export keeps its sealed segments; --resume finishes it and it imports identical', async () => {
    const src = await sourceTable(4000);
    const options = exportOptions(src, 'resume');
    const first = await interruptedExport(options);
    expect(first.summary.status).toBe('interrupted');
    expect(first.exitCode).toBe(130);
    expect(first.error?.hint).toContain('resume');
    expect(first.summary.checkpoint).toEqual({ file: options.checkpoint, resumed: false });

    // The record: the export folder, and per sealed segment the files that are final.
    const record = readRecord(options.checkpoint!);
    expect(record.phase).toBe('copying');
    expect(record.totalSegments).toBe(4);
    const part = record.export!;
    expect(part.location).toBe(options.out);
    expect(part.sealed.length).toBeGreaterThan(0);
    expect(part.sealed.length).toBeLessThan(4);
    expect(part.unsealedKeys).toEqual([]);
    const sealedItems = part.sealed.flatMap((s) => s.files).reduce((sum, file) => sum + file.itemCount, 0);
    expect(record.totals.itemsWritten).toBe(sealedItems);
    for (const sealed of part.sealed) expect(record.segments[sealed.segment]!.done).toBe(true);
    // On disk: exactly the sealed segments' files; the others' were deleted.
    const folder = path.join(options.out, 'AWSDynamoDB', part.exportId);
    const sealedNames = part.sealed.flatMap((s) =>
      s.files.map((file) => path.posix.basename(file.dataFileS3Key)),
    );
    expect(readdirSync(path.join(folder, 'data')).sort()).toEqual([...sealedNames].sort());
    expect(existsSync(path.join(folder, 'manifest-summary.json'))).toBe(false);

    // A plain rerun is refused and names both ways on.
    const plain = await runExport(options);
    expect(plain.error?.code).toBe('CHECKPOINT');
    expect(plain.exitCode).toBe(2);
    expect(plain.error?.hint).toMatch(/\bresume\b.*\brestart\b/);
    expect(readdirSync(path.join(options.out, 'AWSDynamoDB'))).toEqual([part.exportId]);

    // What a crash would leave: a finished part of an unsealed segment, and a local part that never
    // completed (still under its .tmp name). The record names both, as the export does before it
    // creates a file.
    const crashed = `AWSDynamoDB/${part.exportId}/data/crashedpartaaaaaaaaaaaaaaa.json.gz`;
    const unfinished = `AWSDynamoDB/${part.exportId}/data/unfinishedpartaaaaaaaaaaaa.json.gz`;
    writeFileSync(
      path.join(options.out, crashed),
      gzipSync('{"Item":{"pk":{"S":"ghost"},"sk":{"N":"1"}}}\n'),
    );
    writeFileSync(path.join(options.out, `${unfinished}.tmp`), 'partial');
    writeFileSync(
      options.checkpoint!,
      JSON.stringify({ ...record, export: { ...part, unsealedKeys: [crashed, unfinished] } }),
    );

    const second = await runExport({ ...options, resume: true });
    expect(second.error).toBeUndefined();
    expect(second.summary.status).toBe('completed');
    expect(second.summary.checkpoint.resumed).toBe(true);
    expect(second.summary.export.exportId).toBe(part.exportId);
    expect(second.summary.items.writtenBefore).toBe(sealedItems);
    // Only the segments that were not sealed were scanned again.
    expect(second.summary.items.written).toBe(4000 - sealedItems);
    expect(readRecord(options.checkpoint!).phase).toBe('completed');

    // The manifest lists every file once, the sealed ones included, and nothing else is there.
    const manifest = manifestKeys(folder);
    expect(manifest.itemCount).toBe(4000);
    expect(new Set(manifest.keys).size).toBe(manifest.keys.length);
    for (const name of sealedNames)
      expect(manifest.keys).toContain(`AWSDynamoDB/${part.exportId}/data/${name}`);
    const onDisk = readdirSync(path.join(folder, 'data')).sort();
    expect(onDisk).toEqual(manifest.keys.map((key) => path.posix.basename(key)).sort());
    expect(onDisk.some((name) => name.endsWith('.tmp') || name.startsWith('crashedpart'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(folder, 'manifest-summary.json'), 'utf8')).itemCount).toBe(4000);

    // Imported into another account, the table is identical to the source.
    const dst = newAccount(endpoint, 'us-east-1');
    const imported = await runImport({
      from: options.out,
      target: side(dst, 'orders'),
      yes: true,
      concurrency: undefined,
      checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
    });
    expect(imported.error).toBeUndefined();
    const want = itemsByKey(await scanAll(accountClient(src), 'orders'), ['pk', 'sk']);
    const got = itemsByKey(await scanAll(accountClient(dst), 'orders'), ['pk', 'sk']);
    expect(got.size).toBe(4000);
    expect(got).toEqual(want);
  });

  it('--restart deletes the unfinished export and writes a new one', async () => {
    const src = await sourceTable(2000);
    const options = exportOptions(src, 'restart');
    const first = await interruptedExport(options);
    expect(first.summary.status).toBe('interrupted');
    const old = readRecord(options.checkpoint!).export!;
    expect(old.sealed.length).toBeGreaterThan(0);

    const again = await runExport({ ...options, restart: true, readRate: undefined });
    expect(again.error).toBeUndefined();
    expect(again.summary.checkpoint.resumed).toBe(false);
    expect(again.summary.items.writtenBefore).toBe(0);
    expect(again.summary.items.written).toBe(2000);
    const exportId = again.summary.export.exportId!;
    expect(exportId).not.toBe(old.exportId);
    // Only the new export is left.
    expect(readdirSync(path.join(options.out, 'AWSDynamoDB'))).toEqual([exportId]);
    expect(manifestKeys(path.join(options.out, 'AWSDynamoDB', exportId)).itemCount).toBe(2000);
    expect(readRecord(options.checkpoint!).export?.exportId).toBe(exportId);
  });

  it('--resume without a record, and a corrupt record, are refused before anything is written', async () => {
    const src = await sourceTable(10);
    const options = exportOptions(src, 'refused');
    const missing = await runExport({ ...options, resume: true });
    expect(missing.error?.code).toBe('CHECKPOINT');
    expect(missing.error?.message).toMatch(/no checkpoint to resume/);
    writeFileSync(
      options.checkpoint!,
      JSON.stringify({
        version: 1,
        tool: 'ddbcopy',
        totalSegments: 1,
        segments: [{}],
        export: { location: options.out, exportId: '../escape', startTime: '', sealed: [], unsealedKeys: [] },
      }),
    );
    const corrupt = await runExport({ ...options, resume: true });
    expect(corrupt.error?.code).toBe('CHECKPOINT');
    expect(corrupt.error?.message).toMatch(/is corrupt: bad export id/);
    expect(existsSync(options.out)).toBe(false);
  });
});
