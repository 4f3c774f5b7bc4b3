import { ItemRejectedError, TransformFailedError } from '../../errors.js';
import { keyOf } from '../../model/item-check.js';
import { keyString } from '../../model/item-key.js';
import type { Item, Key } from '../../stores/types.js';

/**
 * A page after the stages between scan and write (masks, a transform): the items to write, and for
 * each the key of the source item it came from. Positions (the checkpoint, a resumed Scan) are always
 * source keys: a masked key means nothing to the source.
 */
export interface StagedPage {
  items: Item[];
  sourceKeys: Key[];
}

/** What happens to the items of a page between the scan and the write. */
export interface ItemStage {
  page(items: readonly Item[], segment: number): Promise<StagedPage> | StagedPage;
  /**
   * The target key a source key becomes: key attributes masked (masks are functions of the value, so
   * the same key always becomes the same target key). A transform is not applied: it gets whole items.
   * A follow deletes this key when the source item is removed.
   */
  targetKey(key: Key): Key;
}

/** Anything that turns one item into the item to write: a new object when it changed it. */
export interface ItemChange {
  apply(item: Item): Item;
}

/**
 * A user's transform: the item to write, `null` to drop it (it may return a promise). Its context
 * has the segment and whatever helpers the run adds (`helpers` in TransformStageOptions).
 */
export type TransformFunction = (
  item: Item,
  context: { readonly segment: number; readonly [helper: string]: unknown },
) => Item | null | undefined | Promise<Item | null | undefined>;

export interface TransformStageOptions {
  transform: TransformFunction;
  /** `skip`: an item whose transform throws is left out and reported; `fail` (default): the run stops. */
  onError: 'fail' | 'skip';
  /** Told of each skipped item: its source key and the error. */
  onReject?: (key: Key, error: unknown) => void;
  /** Told of each item the transform dropped (returned null). */
  onDrop?: () => void;
  /** Added to every call's context (the run's helpers: paths, the masks' hash). */
  helpers?: object;
}

/**
 * The stages of a copy, in order: masks first (so a transform never sees personal data it does not
 * need), then the transform. An item is handed to a transform as a deep copy: whatever it does to
 * it, the item it returns is written as serialized from the object, never as the text it was read as.
 */
export function itemStage(options: {
  keyAttributes: readonly string[];
  masks?: ItemChange | undefined;
  transform?: TransformStageOptions | undefined;
  /** True when a stage may change key attributes: masked keys are checked for collisions. */
  keysChange?: boolean;
}): ItemStage {
  const { keyAttributes, masks, transform } = options;
  // Masked keys seen so far, with the source key they came from: two sources onto one target key
  // would silently overwrite one item with the other.
  const seen = options.keysChange ? new Map<string, string>() : undefined;
  return {
    async page(items, segment) {
      const out: Item[] = [];
      const sourceKeys: Key[] = [];
      for (const original of items) {
        const sourceKey = keyOf(original, keyAttributes);
        let item: Item | null | undefined = masks ? masks.apply(original) : original;
        if (transform) {
          try {
            item = await transform.transform(structuredClone(item), { ...transform.helpers, segment });
          } catch (error) {
            if (transform.onError === 'skip') {
              transform.onReject?.(sourceKey, error);
              continue;
            }
            throw new TransformFailedError(
              `The transform failed on the item with key ${JSON.stringify(sourceKey)}: ${error instanceof Error ? error.message : String(error)}`,
              {
                side: 'source',
                cause: error,
                hint: 'Fix the transform (or the item), or pass --on-transform-error skip to leave such items out and list them in the rejects file.',
              },
            );
          }
          if (item === null || item === undefined) {
            transform.onDrop?.();
            continue;
          }
        }
        if (seen) {
          const target = keyString(item, keyAttributes);
          const source = JSON.stringify(sourceKey);
          const earlier = seen.get(target);
          if (earlier !== undefined && earlier !== source) {
            throw keyCollision(earlier, source, JSON.stringify(keyOf(item, keyAttributes)));
          }
          seen.set(target, source);
        }
        out.push(item);
        sourceKeys.push(sourceKey);
      }
      return { items: out, sourceKeys };
    },
    targetKey(key) {
      return masks ? keyOf(masks.apply(key), keyAttributes) : key;
    },
  };
}

/** Two source items staged onto one target key: one would overwrite the other. Names both. */
export function keyCollision(
  earlierSource: string,
  laterSource: string,
  targetKey: string,
): ItemRejectedError {
  return new ItemRejectedError(
    `Two items get the same key after masking: ${earlierSource} and ${laterSource} both become ${targetKey}; one would overwrite the other.`,
    {
      side: 'target',
      hint: 'Mask key attributes with an injective rule (hash, or fake:* which adds a uniqueness suffix on keys), or keep them.',
    },
  );
}
