/** Item keys as canonical strings: equal exactly when DynamoDB would see the same key. */
import { binaryBase64 } from './binary.js';
import type { Item } from './item.js';

/**
 * A canonical string of the item's key attribute values: two items get the same string exactly
 * when DynamoDB would see the same key (type and value; binary compared by content). Each part is
 * length-prefixed so that no value can imitate a separator.
 */
export function keyString(item: Item, keyAttributes: readonly string[]): string {
  let result = '';
  for (const name of keyAttributes) {
    const value = item[name];
    let part: string;
    if (value === undefined) part = '-';
    else if (value.S !== undefined) part = 'S' + value.S.length + ':' + value.S;
    else if (value.N !== undefined) {
      const number = canonicalNumber(value.N);
      part = 'N' + number.length + ':' + number;
    } else if (value.B !== undefined) {
      const base64 = binaryBase64(value.B);
      part = 'B' + base64.length + ':' + base64;
    } else {
      // Not a valid key type; DynamoDB will reject the item, but it must still not merge with others.
      const json = JSON.stringify(value);
      part = '?' + json.length + ':' + json;
    }
    result += part;
  }
  return result;
}

/**
 * DynamoDB compares numbers by value, so `1`, `1.0`, `+1` and `10e-1` are one key. Returns the
 * digits without leading or trailing zeroes and the exponent that puts the point before them.
 * Items read from DynamoDB are already normalized; files written by other tools may not be.
 */
function canonicalNumber(text: string): string {
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 0x2d) {
    negative = true;
    i = 1;
  } else if (text.charCodeAt(0) === 0x2b) {
    i = 1;
  }
  let digits = '';
  let integerDigits = 0;
  let seenPoint = false;
  let exponent = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      seenPoint = true;
    } else if (c === 0x65 || c === 0x45) {
      exponent = Number(text.slice(i + 1));
      break;
    } else if (c >= 0x30 && c <= 0x39) {
      if (c === 0x30 && digits === '') {
        // A leading zero moves the point, it adds no digit.
        if (seenPoint) integerDigits--;
        continue;
      }
      digits += text[i];
      if (!seenPoint) integerDigits++;
    } else {
      return text; // not a number DynamoDB accepts; compare it as written
    }
  }
  if (!Number.isInteger(exponent)) return text;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  if (end === 0) return '0';
  return (negative ? '-' : '') + digits.slice(0, end) + 'e' + (integerDigits + exponent);
}
