/**
 * Finds each item's text in a Scan response, so the copy can send items on as DynamoDB sent them.
 * Pure and cheap: it looks only at structure (braces, brackets, commas, colons) and jumps over string
 * contents with a native search, so its cost is a small fraction of JSON.parse on the same text.
 */
import type { ItemText } from '../../model/item-json.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  stringEnd,
  valueEnd,
} from './json-structure.js';

/**
 * The texts of the top-level `Items` array's elements, in order, each with its UTF-8 length and its
 * name:value pairs at any depth (attachPageJson matches those against the parsed items). Undefined,
 * so that the page's items are serialized again when written, when the keys cannot be matched
 * literally: no `Items` key, more than one, or any top-level name written with an escape (`"\u0049tems"`
 * is `Items` to JSON.parse, which keeps the last of repeated names). `text` must be valid JSON
 * (JSON.parse accepted it); on anything unexpected this returns undefined rather than throwing.
 */
export function itemSlices(text: string): ItemText[] | undefined {
  try {
    const slices = new PageScanner(text).topLevelItems();
    if (!slices) return undefined;
    // One byte per character unless the response has any non-ASCII text (then count per item).
    const ascii = Buffer.byteLength(text, 'utf8') === text.length;
    if (!ascii) {
      for (const slice of slices) slice.bytes = Buffer.byteLength(slice.text, 'utf8');
    }
    return slices;
  } catch {
    return undefined;
  }
}

class Unexpected extends Error {}

type Slice = { text: string; bytes: number; members: number };

/** One pass over a response's structure. */
class PageScanner {
  /** Name:value pairs (colons outside strings) in the last value valueEnd passed over. */
  private readonly colons = { count: 0 };

  constructor(private readonly text: string) {}

  topLevelItems(): Slice[] | undefined {
    const text = this.text;
    let i = skipSpace(text, 0);
    expect(text, i, OPEN_BRACE);
    i = skipSpace(text, i + 1);
    let items: Slice[] | undefined;
    let seen = 0;
    if (text.charCodeAt(i) === CLOSE_BRACE) return undefined;
    for (;;) {
      expect(text, i, QUOTE);
      const nameEnd = closingQuote(text, i);
      // An escape makes the name mean something other than its letters: no literal match.
      if (hasBackslash(text, i + 1, nameEnd)) return undefined;
      const isItems = nameEnd - i === 6 && text.startsWith('Items', i + 1);
      i = skipSpace(text, nameEnd + 1);
      expect(text, i, COLON);
      i = skipSpace(text, i + 1);
      if (isItems) {
        seen += 1;
        items = [];
        i = this.arrayElements(i, items);
      } else {
        i = this.valueEnd(i);
      }
      i = skipSpace(text, i);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) break;
      expect(text, i, COMMA);
      i = skipSpace(text, i + 1);
    }
    return seen === 1 ? items : undefined;
  }

  /** Pushes each element of the array starting at `start`; returns the index after `]`. */
  private arrayElements(start: number, out: Slice[]): number {
    const text = this.text;
    expect(text, start, OPEN_BRACKET);
    let i = skipSpace(text, start + 1);
    if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    for (;;) {
      const end = this.valueEnd(i);
      out.push({ text: text.slice(i, end), bytes: end - i, members: this.colons.count });
      i = skipSpace(text, end);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACKET) return i + 1;
      expect(text, i, COMMA);
      i = skipSpace(text, i + 1);
    }
  }

  /** The index just after the JSON value that starts at `start`; counts its colons in `colons`. */
  private valueEnd(start: number): number {
    const end = valueEnd(this.text, start, this.colons);
    if (end < 0) throw new Unexpected();
    return end;
  }
}

/** The index of the quote that closes the string whose opening quote is at `start`. */
function closingQuote(text: string, start: number): number {
  const end = stringEnd(text, start);
  if (end < 0) throw new Unexpected();
  return end;
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

function expect(text: string, at: number, code: number): void {
  if (text.charCodeAt(at) !== code) throw new Unexpected();
}
