/**
 * DynamoDB's normalized text of a number: a plain decimal, no exponent, no leading zeros, no trailing
 * fraction zeros, no '+', and '0' for zero of either sign. DynamoDB returns every N in this form
 * ('1.50' -> '1.5', '1E+3' -> '1000', '-0' -> '0'), so two numbers are equal exactly when their
 * normalized texts are. Items read from DynamoDB are already normalized; items from files written by
 * other tools may not be.
 */

// Already normalized: the common case, checked without building anything.
const NORMALIZED = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
const EXPONENT = /^[+-]?\d{1,4}$/;
/**
 * DynamoDB accepts magnitudes from 1E-130 to 9.99E+125; far beyond that the text is not a DynamoDB
 * number, and expanding it would only build a huge string.
 */
const MAX_DECIMAL_PLACES = 400;

/** Returns `text` in DynamoDB's normalized form; text that is not a number is returned as written. */
export function normalizeNumber(text: string): string {
  if (NORMALIZED.test(text) && text !== '-0') return text;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i = 1;
  }
  let digits = '';
  // Where the decimal point sits, counted in digits from the start of `digits`.
  let point = 0;
  let seenPoint = false;
  let seenDigit = false;
  let exponent = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (seenPoint) return text;
      seenPoint = true;
    } else if (c === 0x65 || c === 0x45) {
      const rest = text.slice(i + 1);
      if (!seenDigit || !EXPONENT.test(rest)) return text;
      exponent = Number(rest);
      break;
    } else if (c >= 0x30 && c <= 0x39) {
      seenDigit = true;
      if (c === 0x30 && digits === '') {
        // A leading zero adds no digit; after the point it moves the point left.
        if (seenPoint) point--;
        continue;
      }
      digits += text[i];
      if (!seenPoint) point++;
    } else {
      return text;
    }
  }
  if (!seenDigit) return text;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30) end--;
  if (end === 0) return '0';
  digits = digits.slice(0, end);
  point += exponent;
  if (Math.abs(point) > MAX_DECIMAL_PLACES) return text;
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}
