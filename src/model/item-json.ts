/**
 * An item's JSON text as the store sent it, carried beside the parsed item so that a copy can write
 * the item out again without serializing it a second time (the largest per-item cost after parsing).
 */
import type { Item } from './item.js';

/**
 * Where the text is kept: a non-enumerable symbol property, so `for...in`, `Object.keys`,
 * `JSON.stringify`, spread and `Object.assign` never see or copy it. An item built from another one
 * (a transform, a copy) therefore never carries text that does not describe it.
 */
const ITEM_JSON = Symbol('ddbcopy.itemJson');

interface ItemJson {
  /** The item exactly as the store sent it: a DynamoDB JSON object, `{...}`. */
  text: string;
  /** UTF-8 bytes of `text`. */
  bytes: number;
}

type Carrier = { [ITEM_JSON]?: ItemJson };

/**
 * Attaches `text`, which must be the JSON of exactly this item as DynamoDB sent it (the caller split
 * it from the same response the item was parsed from), with its UTF-8 length.
 */
export function attachItemJson(item: Item, text: string, bytes: number): void {
  Object.defineProperty(item, ITEM_JSON, { value: { text, bytes }, enumerable: false });
}

/** The item's JSON text as received, if it carries one. */
export function itemJsonOf(item: Item): ItemJson | undefined {
  return (item as Carrier)[ITEM_JSON];
}

/**
 * A request body as DynamoDB's JSON. Values that came over the wire carry binary as base64 text and
 * serialize as they are; bytes (from the SDK, a checkpoint, a file) would serialize as `{"0":..}`, so
 * when the text shows any, it is serialized again with bytes turned into base64. An attribute named
 * B or BS holding a map also triggers the second pass: that costs time, never correctness.
 */
export function wireJson(body: unknown): string {
  const text = JSON.stringify(body);
  if (!text.includes('"B":{') && !text.includes('"BS":[{')) return text;
  // The holder's own value, not `value`: a Buffer reaches a replacer already turned into
  // {"type":"Buffer","data":[...]} by its toJSON.
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Uint8Array
      ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
      : value;
  });
}
