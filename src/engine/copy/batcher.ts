/**
 * Splits items into BatchWriteItem-sized batches. Pure: no I/O, input order preserved.
 */

import type { Item } from '../../model/item.js';
import { keyString } from '../../model/item-key.js';
import { putRequestWireSize, wireSizeUpperBound } from '../../model/item-size.js';
import type { TextItem } from '../../model/text-item.js';

/** BatchWriteItem: "can comprise as many as 25 put or delete requests". */
export const MAX_BATCH_ITEMS = 25;

/** BatchWriteItem: "the total request size exceeds 16 MB" is rejected (HTTP 413 from DynamoDB Local). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Room left for what surrounds the put requests: `{"RequestItems":{"<table name or ARN>":[...]}}`.
 * A table ARN is at most 1,024 characters; 64 KB leaves a wide margin.
 */
export const REQUEST_ENVELOPE_HEADROOM = 64 * 1024;

export interface BatchLimits {
  /** Items per batch at most; defaults to MAX_BATCH_ITEMS. */
  maxItems?: number;
  /** Sum of the items' wireSizeUpperBound per batch at most; defaults to 16 MB less the envelope headroom. */
  maxBytes?: number;
}

/**
 * Splits `items`, in order, into batches of at most `maxItems` items whose summed
 * wireSizeUpperBound is at most `maxBytes`. A batch never holds two items with the same key
 * (BatchWriteItem rejects that): a repeated key starts a new batch, so writing the batches in order
 * leaves the last write of a key in place, as the input order says. An item larger than
 * `maxBytes` on its own gets a batch of its own. Never yields an empty batch.
 */
export function batchItems(
  items: readonly Item[],
  keyAttributes: readonly string[],
  limits?: BatchLimits,
): Item[][] {
  return batchBy(items, (item) => keyString(item, keyAttributes), wireSizeUpperBound, limits);
}

/** batchItems for items as text: keys compared by their text, sizes from the text's length. */
export function batchTextItems(items: readonly TextItem[], limits?: BatchLimits): TextItem[][] {
  return batchBy(
    items,
    (item) => item.keyText,
    (item) => putRequestWireSize(item.bytes),
    limits,
  );
}

/** The batching rules above, over any kind of item: `keyOf` identifies, `sizeOf` bounds a request's share. */
function batchBy<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  sizeOf: (item: T) => number,
  limits: BatchLimits | undefined,
): T[][] {
  const maxItems = limits?.maxItems ?? MAX_BATCH_ITEMS;
  const maxBytes = limits?.maxBytes ?? MAX_BATCH_BYTES - REQUEST_ENVELOPE_HEADROOM;
  if (!(maxItems >= 1) || !(maxBytes >= 1)) {
    throw new RangeError(`batch limits must be at least 1 (maxItems ${maxItems}, maxBytes ${maxBytes})`);
  }

  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  const keys = new Set<string>();
  for (const item of items) {
    const size = sizeOf(item);
    const key = keyOf(item);
    if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes || keys.has(key))) {
      batches.push(batch);
      batch = [];
      bytes = 0;
      keys.clear();
    }
    batch.push(item);
    bytes += size;
    keys.add(key);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
