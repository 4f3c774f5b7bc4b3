import { ItemRejectedError } from '../errors.js';
import type { Item, Key } from './item.js';

/** DynamoDB stores items of at most 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** Key attribute types by name, as the target table declares them. */
export type KeyTypes = Readonly<Record<string, 'S' | 'N' | 'B'>>;

/** The primary-key attributes of an item: a position a Scan can continue after. */
export function keyOf(item: Item, keyAttributes: readonly string[]): Key {
  const key: Key = {};
  for (const name of keyAttributes) key[name] = item[name]!;
  return key;
}

/**
 * Rejects, naming the item, what the target would reject anyway: a missing or mistyped key attribute,
 * or (when `size` is given) an item over 400 KB. For items from files or other non-DynamoDB sources,
 * before they can fail a whole batch.
 */
export function checkItem(
  item: Item,
  keyAttributes: readonly string[],
  keyTypes: KeyTypes | undefined,
  size?: number,
): void {
  const describe = (): string =>
    JSON.stringify(
      keyOf(
        item,
        keyAttributes.filter((name) => item[name]),
      ),
    );
  for (const name of keyAttributes) {
    const value = item[name];
    const type = keyTypes?.[name];
    if (!value || (type && value[type] === undefined)) {
      throw new ItemRejectedError(
        `The item ${describe()} ${value ? `has key attribute '${name}' of type ${Object.keys(value)[0]}, not ${type}` : `lacks the key attribute '${name}'`}.`,
        {
          side: 'source',
          hint: 'Every item needs the key attributes of the target table, with their types. Fix the input and run again.',
        },
      );
    }
  }
  if (size !== undefined && size > MAX_ITEM_BYTES) {
    throw new ItemRejectedError(
      `The item ${describe()} is ${size} bytes; DynamoDB stores items of at most 400 KB.`,
      {
        side: 'source',
        hint: 'Shrink or split that item in the input (or leave it out deliberately), then run again.',
      },
    );
  }
}
