/**
 * JSON's structural characters, and how to pass over a value by structure alone: what the two Scan
 * page scanners share (item-slices.ts finds item texts for the object path, scan-page-text.ts reads
 * pages as text items). Pure; strings are jumped over with a native search, never decoded.
 */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** JSON's whitespace: space, line feed, carriage return, tab. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index of the quote that closes the string whose opening quote is at `start`; -1 when none does. */
export function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote;
    from = quote + 1;
  }
}

/**
 * The index just after the JSON value that starts at `start`, found by structure only (the value is
 * not checked); -1 when it does not end. `colons`, when given, gets the value's name:value pairs
 * (colons outside strings) at any depth.
 */
export function valueEnd(text: string, start: number, colons?: { count: number }): number {
  if (colons) colons.count = 0;
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const end = stringEnd(text, start);
    return end < 0 ? -1 : end + 1;
  }
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: it ends where the enclosing structure continues.
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    }
    return i === start ? -1 : i;
  }
  let depth = 0;
  let count = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else if (c === COLON) count++;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        if (colons) colons.count = count;
        return i + 1;
      }
    }
  }
  return -1;
}
