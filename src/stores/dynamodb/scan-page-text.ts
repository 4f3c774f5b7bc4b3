/**
 * Reads a Scan response as text items (model/text-item.ts): each item's text, UTF-8 length, DynamoDB
 * size and key, found in one walk over the text that also checks it, without building item objects.
 *
 * The walk accepts only what DynamoDB sends: a strict subset of JSON (every string checked, no control
 * characters, every escape decoded by JSON.parse) in DynamoDB's item shape (every attribute value an
 * object with exactly one known type). Anything else, malformed or merely unusual, is declined
 * (undefined), and the caller parses the page with JSON.parse as the object path does: a malformed
 * page then fails exactly as it always did, naming the request, and is never skipped.
 */
import { binaryLength } from '../../model/binary.js';
import { numberSize } from '../../model/item-size.js';
import { TextItem } from '../../model/text-item.js';
import type { Key } from '../types.js';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  stringEnd,
  valueEnd,
} from './json-structure.js';

/** A Scan response read as text items. */
export interface ScanTextPage {
  items: TextItem[];
  /** Items DynamoDB read for this page before a filter dropped some. */
  scannedCount: number | undefined;
  lastEvaluatedKey: Key | undefined;
  consumedCapacity: number | undefined;
}

/** Scan's response fields besides `Items`, parsed by JSON.parse. */
interface ScanRest {
  ScannedCount?: number;
  LastEvaluatedKey?: Key;
  ConsumedCapacity?: { CapacityUnits?: number };
}

/**
 * The page's items as text, or undefined when the text is not exactly what DynamoDB sends (the
 * caller then parses it, and JSON.parse throws if it is not JSON). Never throws. An item without
 * one of `keyAttributes` declines the page (DynamoDB's items always hold them).
 */
export function scanPageText(text: string, keyAttributes: readonly string[]): ScanTextPage | undefined {
  try {
    return new TextPageWalk(text, keyAttributes).page();
  } catch {
    return undefined;
  }
}

const SPACE = 0x20;
const LETTER_B = 0x42;
const LETTER_L = 0x4c;
const LETTER_M = 0x4d;
const LETTER_N = 0x4e;
const LETTER_S = 0x53;

/**
 * Any control character: never valid inside a JSON string, and outside strings only as line breaks
 * and tabs, which DynamoDB's compact JSON does not have. A page with any is declined as a whole: one
 * native pass over the page instead of a check per string.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/** Attribute value types, as read from their tags without building a string. */
const Type = { S: 0, N: 1, B: 2, BOOL: 3, NULL: 4, SS: 5, NS: 6, BS: 7, M: 8, L: 9 } as const;
type Type = (typeof Type)[keyof typeof Type];

/** Declines the page: thrown inside the walk, turned into undefined by scanPageText. */
class Declined extends Error {}

class TextPageWalk {
  private i = 0;
  /** One byte per character: true when the whole page is ASCII. */
  private readonly ascii: boolean;
  /** Whether the page has any backslash: without one, no string has escapes, and a quote ends it. */
  private readonly escapes: boolean;
  /** The next backslash at or after the last string read (escapes only); Infinity when none is left. */
  private nextBackslash = -1;
  /** The value of the last string read, when it had escapes (else read it from the text). */
  private decoded: string | undefined;
  /** Where the last string read started and ended (its quotes). */
  private stringStart = 0;
  private stringEnd = 0;

  constructor(
    private readonly text: string,
    private readonly keyAttributes: readonly string[],
  ) {
    if (CONTROL_CHARACTER.test(text)) throw new Declined();
    this.ascii = Buffer.byteLength(text, 'utf8') === text.length;
    this.escapes = text.includes('\\');
  }

  page(): ScanTextPage {
    const text = this.text;
    this.space();
    let items: TextItem[] | undefined;
    let itemsStart = 0;
    let itemsEnd = 0;
    if (!this.opens(OPEN_BRACE, CLOSE_BRACE)) {
      do {
        this.string();
        const isItems = this.stringIs('Items');
        this.colon();
        if (isItems) {
          // JSON.parse keeps the last of repeated names; such a page is not DynamoDB's: decline.
          if (items) throw new Declined();
          itemsStart = this.i;
          items = this.items();
          itemsEnd = this.i;
        } else {
          this.skipValue();
        }
      } while (!this.closes(CLOSE_BRACE));
    }
    this.space();
    if (this.i !== text.length) throw new Declined();
    // Everything but the items is small: JSON.parse reads (and checks) it.
    const rest = JSON.parse(
      items ? `${text.slice(0, itemsStart)}[]${text.slice(itemsEnd)}` : text,
    ) as ScanRest;
    return {
      items: items ?? [],
      scannedCount: rest.ScannedCount,
      lastEvaluatedKey: rest.LastEvaluatedKey,
      consumedCapacity: rest.ConsumedCapacity?.CapacityUnits,
    };
  }

  /** The `Items` array. */
  private items(): TextItem[] {
    const items: TextItem[] = [];
    if (this.opens(OPEN_BRACKET, CLOSE_BRACKET)) return items;
    do items.push(this.item());
    while (!this.closes(CLOSE_BRACKET));
    return items;
  }

  /** One item: its attributes' names and values, its key attributes' texts kept. */
  private item(): TextItem {
    const text = this.text;
    const keyAttributes = this.keyAttributes;
    const keyTexts: (string | undefined)[] = new Array(keyAttributes.length);
    const start = this.i;
    let size = 0;
    if (!this.opens(OPEN_BRACE, CLOSE_BRACE)) {
      do {
        this.string();
        size += this.stringBytes();
        const k = this.keyIndex();
        this.colon();
        const valueStart = this.i;
        size += this.attributeValue();
        // The last of a repeated name is the one JSON.parse (and DynamoDB) would keep.
        if (k >= 0) keyTexts[k] = text.slice(valueStart, this.i);
      } while (!this.closes(CLOSE_BRACE));
    }
    let keyText = '[';
    for (let k = 0; k < keyTexts.length; k++) {
      const part = keyTexts[k];
      if (part === undefined) throw new Declined();
      keyText += k === 0 ? part : `,${part}`;
    }
    const itemText = text.slice(start, this.i);
    const bytes = this.ascii ? itemText.length : Buffer.byteLength(itemText, 'utf8');
    return new TextItem(itemText, bytes, size, `${keyText}]`);
  }

  /** Which key attribute the last string read names, or -1. */
  private keyIndex(): number {
    const keyAttributes = this.keyAttributes;
    for (let k = 0; k < keyAttributes.length; k++) if (this.stringIs(keyAttributes[k]!)) return k;
    return -1;
  }

  /** Whether the last string read has the value `value`, compared in place. */
  private stringIs(value: string): boolean {
    if (this.decoded !== undefined) return this.decoded === value;
    const start = this.stringStart + 1;
    return this.stringEnd - start === value.length && this.text.startsWith(value, start);
  }

  /** One attribute value, `{"T":...}` with exactly one known type T; returns its DynamoDB size. */
  private attributeValue(): number {
    this.expect(OPEN_BRACE);
    this.space();
    const type = this.type();
    this.colon();
    let size: number;
    switch (type) {
      case Type.S:
        this.string();
        size = this.stringBytes();
        break;
      case Type.N:
        this.string();
        size = numberSize(this.stringValue());
        break;
      case Type.B:
        this.string();
        size = binaryLength(this.stringValue());
        break;
      case Type.BOOL:
      case Type.NULL:
        this.literal();
        size = 1;
        break;
      case Type.M:
        size = this.map();
        break;
      case Type.L:
        size = this.list();
        break;
      default:
        size = this.set(type);
    }
    this.space();
    this.expect(CLOSE_BRACE);
    return size;
  }

  /**
   * An attribute value's type tag, read from its characters. Anything else (a type newer than this
   * code, a tag written with escapes) declines: the object path knows how to carry it.
   */
  private type(): Type {
    const text = this.text;
    const i = this.i;
    if (text.charCodeAt(i) !== QUOTE) throw new Declined();
    const first = text.charCodeAt(i + 1);
    const second = text.charCodeAt(i + 2);
    if (second === QUOTE) {
      this.i = i + 3;
      if (first === LETTER_S) return Type.S;
      if (first === LETTER_N) return Type.N;
      if (first === LETTER_B) return Type.B;
      if (first === LETTER_M) return Type.M;
      if (first === LETTER_L) return Type.L;
    } else if (second === LETTER_S && text.charCodeAt(i + 3) === QUOTE) {
      this.i = i + 4;
      if (first === LETTER_S) return Type.SS;
      if (first === LETTER_N) return Type.NS;
      if (first === LETTER_B) return Type.BS;
    } else if (text.startsWith('"BOOL"', i)) {
      this.i = i + 6;
      return Type.BOOL;
    } else if (text.startsWith('"NULL"', i)) {
      this.i = i + 6;
      return Type.NULL;
    }
    throw new Declined();
  }

  /** `M`: 3 bytes, and per member its name, its value and 1 byte. */
  private map(): number {
    let size = 3;
    if (this.opens(OPEN_BRACE, CLOSE_BRACE)) return size;
    do {
      this.string();
      size += this.stringBytes() + 1;
      this.colon();
      size += this.attributeValue();
    } while (!this.closes(CLOSE_BRACE));
    return size;
  }

  /** `L`: 3 bytes, and per element its value and 1 byte. */
  private list(): number {
    let size = 3;
    if (this.opens(OPEN_BRACKET, CLOSE_BRACKET)) return size;
    do size += this.attributeValue() + 1;
    while (!this.closes(CLOSE_BRACKET));
    return size;
  }

  /** `SS`, `NS`, `BS`: the sum of the members' sizes. */
  private set(type: Type): number {
    let size = 0;
    if (this.opens(OPEN_BRACKET, CLOSE_BRACKET)) return size;
    do {
      this.string();
      size +=
        type === Type.SS
          ? this.stringBytes()
          : type === Type.NS
            ? numberSize(this.stringValue())
            : binaryLength(this.stringValue());
    } while (!this.closes(CLOSE_BRACKET));
    return size;
  }

  /** `true` or `false`. */
  private literal(): void {
    const text = this.text;
    if (text.startsWith('true', this.i)) this.i += 4;
    else if (text.startsWith('false', this.i)) this.i += 5;
    else throw new Declined();
  }

  /** The value of the last string read. */
  private stringValue(): string {
    return this.decoded ?? this.text.slice(this.stringStart + 1, this.stringEnd);
  }

  /** UTF-8 bytes of the last string read's value. */
  private stringBytes(): number {
    if (this.decoded !== undefined) return Buffer.byteLength(this.decoded, 'utf8');
    const length = this.stringEnd - this.stringStart - 1;
    return this.ascii ? length : Buffer.byteLength(this.stringValue(), 'utf8');
  }

  /**
   * Reads a string at the cursor. Without escapes its value is its text (control characters were
   * ruled out for the whole page); one with escapes is decoded, and checked, by JSON.parse.
   */
  private string(): void {
    const text = this.text;
    const start = this.i;
    if (text.charCodeAt(start) !== QUOTE) throw new Declined();
    this.stringStart = start;
    this.decoded = undefined;
    if (!this.escapes) {
      const end = text.indexOf('"', start + 1);
      if (end < 0) throw new Declined();
      this.stringEnd = end;
      this.i = end + 1;
      return;
    }
    const end = stringEnd(text, start);
    if (end < 0) throw new Declined();
    if (this.nextBackslash < start) {
      const next = text.indexOf('\\', start);
      this.nextBackslash = next < 0 ? Number.POSITIVE_INFINITY : next;
    }
    if (this.nextBackslash < end) this.decoded = JSON.parse(text.slice(start, end + 1)) as string;
    this.stringEnd = end;
    this.i = end + 1;
  }

  /** Passes over any JSON value (outside the items: JSON.parse checks those parts afterwards). */
  private skipValue(): void {
    const end = valueEnd(this.text, this.i);
    if (end < 0) throw new Declined();
    this.i = end;
  }

  /**
   * Opens a list or an object at the cursor (`open`, spaces); true when it is empty, and then closes
   * it too.
   */
  private opens(open: number, close: number): boolean {
    this.expect(open);
    this.space();
    if (this.text.charCodeAt(this.i) !== close) return false;
    this.i++;
    return true;
  }

  /** After an element: true at `close` (passed over), false at a comma (passed over, with spaces). */
  private closes(close: number): boolean {
    this.space();
    const c = this.text.charCodeAt(this.i);
    this.i++;
    if (c === close) return true;
    if (c !== COMMA) throw new Declined();
    this.space();
    return false;
  }

  /** The colon between a name and its value, with spaces around it. */
  private colon(): void {
    this.space();
    this.expect(COLON);
    this.space();
  }

  /** Spaces between tokens (line breaks and tabs were ruled out with the control characters). */
  private space(): void {
    const text = this.text;
    while (text.charCodeAt(this.i) === SPACE) this.i++;
  }

  private expect(code: number): void {
    if (this.text.charCodeAt(this.i) !== code) throw new Declined();
    this.i++;
  }
}
