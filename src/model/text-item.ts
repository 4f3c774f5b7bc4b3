/**
 * Items carried only as the text DynamoDB sent: the copy's text-only data path. A copy that changes
 * nothing (no mask, no transform) never needs an item's attributes, only its key, its size and its
 * text, so a Scan page is never turned into item objects (JSON.parse and the garbage it leaves were
 * the largest per-item costs left).
 */
import type { AttributeValue, Key } from './item.js';

/**
 * One item as text, with what the copy needs to know of it, found in the same walk that checked the
 * text (stores/dynamodb/scan-page-text.ts). A class of its own, not an `Item`: nothing that needs an
 * item's attributes (a mask, a transform, verify) can be handed one by mistake, and no text can ever
 * disagree with an object, because there is none.
 */
export class TextItem {
  constructor(
    /** The item exactly as the store sent it: a DynamoDB JSON object, `{...}`. */
    readonly text: string,
    /** UTF-8 bytes of `text`: what the item adds to a request that sends it. */
    readonly bytes: number,
    /**
     * The item's size as DynamoDB counts it (item-size.ts's itemSize of the parsed item), counted
     * over the text: a name repeated in one item, which DynamoDB never sends, would count twice.
     */
    readonly size: number,
    /**
     * The key attributes' values as a JSON array of their texts, in key schema order
     * (`[{"S":"a"},{"N":"1"}]`): equal for two items of one table exactly when their keys are.
     */
    readonly keyText: string,
  ) {}
}

/** The item's key, parsed from its key text (one small parse: only a checkpoint position needs it). */
export function textItemKey(item: TextItem, keyAttributes: readonly string[]): Key {
  const values = JSON.parse(item.keyText) as AttributeValue[];
  const key: Key = {};
  for (let i = 0; i < keyAttributes.length; i++) key[keyAttributes[i]!] = values[i]!;
  return key;
}
