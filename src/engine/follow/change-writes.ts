/**
 * What a page of stream records comes to on the target: puts of new images and deletes of keys, with
 * masks and a transform applied to images and keys alike, then one write per target key (the last
 * change wins) in batches BatchWriteItem takes.
 */
import { keyOf } from '../../model/item-check.js';
import { keyString } from '../../model/item-key.js';
import type { ChangeRecord, ChangeWrite, Item, Key, StreamViewType } from '../../stores/types.js';
import type { ItemStage } from '../copy/item-stage.js';

/** BatchWriteItem takes at most 25 requests. */
export const CHANGES_PER_BATCH = 25;

export interface ChangeContext {
  keyAttributes: readonly string[];
  viewType: StreamViewType;
  /** Masks and a transform; absent: records are applied as they are. */
  stage?: ItemStage | undefined;
  /** A stage may change key attributes (a transform): a MODIFY may then move the item to another key. */
  keysChange: boolean;
  /** The item as it is now on the source (a consistent GetItem): for streams without new images. */
  getItem: (key: Key) => Promise<Item | undefined>;
}

/** One write, named by the target key it touches. */
export interface KeyedWrite {
  key: string;
  write: ChangeWrite;
}

/**
 * The writes of `records`, in their order. With new images, an INSERT or MODIFY puts the image and a
 * REMOVE deletes the key. Without (KEYS_ONLY, OLD_IMAGE), the item is read again from the source once
 * per key and put, or deleted when it is gone: that is its latest state, which later records agree with.
 */
export async function changeWrites(
  records: readonly ChangeRecord[],
  context: ChangeContext,
): Promise<KeyedWrite[]> {
  const withImages = context.viewType === 'NEW_IMAGE' || context.viewType === 'NEW_AND_OLD_IMAGES';
  const current = withImages ? undefined : await currentItems(records, context);
  const writes: KeyedWrite[] = [];
  for (const record of records) {
    const image = current
      ? current.get(keyString(record.keys, context.keyAttributes))
      : record.eventName === 'REMOVE'
        ? undefined
        : record.newImage;
    writes.push(...(await recordWrites(record, image, context)));
  }
  return writes;
}

async function recordWrites(
  record: ChangeRecord,
  image: Item | undefined,
  context: ChangeContext,
): Promise<KeyedWrite[]> {
  const { keyAttributes, stage } = context;
  const writes: KeyedWrite[] = [];
  if (image) {
    const staged = stage ? (await stage.page([image], 0)).items[0] : image;
    if (staged) {
      // A transform may have moved the item to another key: the old one must not stay behind.
      if (context.keysChange && record.oldImage) {
        const old = await targetKeyOf(record, context);
        if (keyString(old, keyAttributes) !== keyString(staged, keyAttributes))
          writes.push(deletion(old, context));
      }
      writes.push({ key: keyString(staged, keyAttributes), write: { put: staged } });
      return writes;
    }
    // The transform left the item out: the target must not hold it either.
  }
  writes.push(deletion(await targetKeyOf(record, context), context));
  return writes;
}

function deletion(key: Key, context: ChangeContext): KeyedWrite {
  return { key: keyString(key, context.keyAttributes), write: { delete: key } };
}

/**
 * The target key of the item a record changed. Masks map a key to the same target key every time; a
 * transform that changes keys needs the old image (NEW_AND_OLD_IMAGES) to say where the item went.
 */
async function targetKeyOf(record: ChangeRecord, context: ChangeContext): Promise<Key> {
  const { stage, keyAttributes } = context;
  if (!stage) return record.keys;
  if (context.keysChange && record.oldImage) {
    const staged = (await stage.page([record.oldImage], 0)).items[0];
    if (staged) return keyOf(staged, keyAttributes);
  }
  return stage.targetKey(record.keys);
}

/** Reads each key's item once, concurrently (a page has up to 1000 records). */
async function currentItems(
  records: readonly ChangeRecord[],
  context: ChangeContext,
): Promise<Map<string, Item | undefined>> {
  const keys = new Map<string, Key>();
  for (const record of records) keys.set(keyString(record.keys, context.keyAttributes), record.keys);
  const found = new Map<string, Item | undefined>();
  const queue = [...keys];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      found.set(next[0], await context.getItem(next[1]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
  return found;
}

/**
 * The batches that bring the target to the state after all of `writes`: the last write of each key
 * (they are in stream order), at most 25 per batch, never a key twice in one request, which
 * BatchWriteItem refuses. Written all at once, then the next page: so no key's changes reorder.
 */
export function changeBatches(writes: readonly KeyedWrite[], size = CHANGES_PER_BATCH): ChangeWrite[][] {
  return keyedChangeBatches(writes, size).map((batch) => batch.map((entry) => entry.write));
}

/** As `changeBatches`, each write with its target key (a later page's write of a key waits for it). */
export function keyedChangeBatches(writes: readonly KeyedWrite[], size = CHANGES_PER_BATCH): KeyedWrite[][] {
  const last = new Map<string, ChangeWrite>();
  for (const { key, write } of writes) {
    // Re-inserted at the end: the batches keep the order of each key's final change.
    last.delete(key);
    last.set(key, write);
  }
  const batches: KeyedWrite[][] = [];
  let batch: KeyedWrite[] = [];
  for (const [key, write] of last) {
    batch.push({ key, write });
    if (batch.length === size) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
