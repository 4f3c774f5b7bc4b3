/**
 * Finds each item's text in a Scan response, so the copy can send items on as DynamoDB sent them.
 * Pure and cheap: it looks only at structure (braces, brackets, commas) and jumps over string
 * contents with a native search, so its cost is a small fraction of JSON.parse on the same text.
 */

/**
 * The texts of the top-level `Items` array's elements, in order, or undefined when the response has
 * no `Items` array or has it more than once (JSON.parse keeps the last; no guessing which). The
 * caller checks that the count matches the parsed items. `text` must be valid JSON (JSON.parse
 * accepted it); on anything unexpected this returns undefined rather than throwing.
 */
export function itemSlices(text: string): string[] | undefined {
  try {
    return topLevelItems(text);
  } catch {
    return undefined;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

class Unexpected extends Error {}

function topLevelItems(text: string): string[] | undefined {
  let i = skipSpace(text, 0);
  expect(text, i, OPEN_BRACE);
  i = skipSpace(text, i + 1);
  let items: string[] | undefined;
  let seen = 0;
  if (text.charCodeAt(i) === CLOSE_BRACE) return undefined;
  for (;;) {
    expect(text, i, QUOTE);
    const nameEnd = stringEnd(text, i);
    const isItems = nameEnd - i === 6 && text.startsWith('Items', i + 1);
    i = skipSpace(text, nameEnd + 1);
    expect(text, i, COLON);
    i = skipSpace(text, i + 1);
    if (isItems) {
      seen += 1;
      items = [];
      i = arrayElements(text, i, items);
    } else {
      i = valueEnd(text, i);
    }
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) break;
    expect(text, i, COMMA);
    i = skipSpace(text, i + 1);
  }
  return seen === 1 ? items : undefined;
}

/** Pushes the text of each element of the array starting at `start`; returns the index after `]`. */
function arrayElements(text: string, start: number, out: string[]): number {
  expect(text, start, OPEN_BRACKET);
  let i = skipSpace(text, start + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
  for (;;) {
    const end = valueEnd(text, i);
    out.push(text.slice(i, end));
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) return i + 1;
    expect(text, i, COMMA);
    i = skipSpace(text, i + 1);
  }
}

/** The index just after the JSON value that starts at `start`. */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start) + 1;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: it ends where the enclosing structure continues.
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    }
    if (i === start) throw new Unexpected();
    return i;
  }
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Unexpected();
}

/** The index of the quote that closes the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new Unexpected();
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote;
    from = quote + 1;
  }
}

function skipSpace(text: string, start: number): number {
  let i = start;
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function expect(text: string, at: number, code: number): void {
  if (text.charCodeAt(at) !== code) throw new Unexpected();
}
