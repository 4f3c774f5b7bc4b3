import { keyOf } from '../../model/item-check.js';
import { keyString } from '../../model/item-key.js';
import type { Pacer } from '../../runtime/pacer.js';
import type { CopyStats } from '../../runtime/stats.js';
import type { ChangeWrite, Key, Sink, Source } from '../../stores/types.js';

/** BatchGetItem takes at most 100 keys (AWS limit): one target page is checked in one request. */
const KEYS_PER_PAGE = 100;
/** BatchWriteItem takes at most 25 requests (AWS limit). */
const DELETES_PER_BATCH = 25;
/** Keys of the would-be deleted items shown by --dry-run and kept in the summary. */
const MAX_SAMPLES = 10;

/** What `--prune` did: the `prune` field of the copy's summary (fields only ever added). */
export interface PruneSummary {
  /** Target items whose key was checked against the source. */
  scanned: number;
  /** Of them, the keys the source does not have. */
  missing: number;
  /** Deleted from the target: `missing` once done, 0 with --dry-run. */
  deleted: number;
  /** Up to 10 of the missing keys, as DynamoDB JSON. */
  samples: Key[];
  dryRun: boolean;
}

/** The source's side of the check: which of these keys it holds now (DynamoDbSource.keysExisting). */
export interface KeyChecker {
  keysExisting(
    keys: readonly Key[],
    keyAttributes: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ existing: Set<string>; consumedRead: number }>;
}

export interface PruneInput {
  /** The source table: asked which keys exist (reads only). */
  source: KeyChecker;
  /** The target table opened read-only, for scanning its keys. */
  targetKeys: Source;
  /** The target's writer; absent with --dry-run, when nothing is deleted. */
  sink: Pick<Sink, 'writeChanges'> | undefined;
  keyAttributes: readonly string[];
  /** Target segments scanned at once. */
  segments: number;
  /** Paces the source's reads (BatchGetItem). */
  readPacer?: Pacer | undefined;
  /** Paces the target's deletes. */
  writePacer?: Pacer | undefined;
  /** Capacity consumed is added to the copy's counters. */
  stats?: CopyStats | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * `--prune`: scans the target's keys (a projection of the key attributes), asks the source for each
 * page which of them it holds (a strongly consistent BatchGetItem, so an item the source has is never
 * taken for missing), and deletes the others from the target with BatchWriteItem. The source is only
 * read. Run after the copy completed, so every key the source had then is on the target already.
 * Idempotent: running it again finds nothing more to delete (unless the source changed).
 */
export async function pruneTarget(
  input: PruneInput,
  summary: PruneSummary = emptyPruneSummary(input.sink === undefined),
): Promise<PruneSummary> {
  const segments = Math.max(1, input.segments);
  await Promise.all(Array.from({ length: segments }, (_, segment) => pruneSegment(input, segment, summary)));
  return summary;
}

/** The counters before anything is checked; pruneTarget fills them in as it goes (a failure keeps them). */
export function emptyPruneSummary(dryRun: boolean): PruneSummary {
  return { scanned: 0, missing: 0, deleted: 0, samples: [], dryRun };
}

async function pruneSegment(input: PruneInput, segment: number, summary: PruneSummary): Promise<void> {
  const { keyAttributes, signal } = input;
  const pages = input.targetKeys.scan({
    segment,
    totalSegments: Math.max(1, input.segments),
    limit: KEYS_PER_PAGE,
    attributes: keyAttributes,
    ...(signal ? { signal } : {}),
  });
  for await (const page of pages) {
    if (input.stats) input.stats.consumedRead += page.consumedRead;
    if (page.items.length === 0) continue;
    const keys = page.items.map((item) => keyOf(item, keyAttributes));
    summary.scanned += keys.length;
    const { existing, consumedRead } = await input.source.keysExisting(keys, keyAttributes, signal);
    if (input.stats) input.stats.consumedRead += consumedRead;
    await input.readPacer?.take(consumedRead, signal);
    const missing = keys.filter((key) => !existing.has(keyString(key, keyAttributes)));
    summary.missing += missing.length;
    for (const key of missing) {
      if (summary.samples.length < MAX_SAMPLES) summary.samples.push(key);
    }
    if (!input.sink) continue;
    for (let i = 0; i < missing.length; i += DELETES_PER_BATCH) {
      const batch: ChangeWrite[] = missing.slice(i, i + DELETES_PER_BATCH).map((key) => ({ delete: key }));
      await input.writePacer?.take(batch.length, signal);
      const result = await input.sink.writeChanges!(batch, signal);
      if (input.stats) input.stats.consumedWrite += result.consumedWrite;
      summary.deleted += batch.length;
    }
  }
}
