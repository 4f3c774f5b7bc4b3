/** The time a line was written, as logs and `--progress json` give it: ISO 8601 in UTC, to the second. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The same to the millisecond, for JSON events (`ts`): a wrapper may order events closer than a second. */
export function isoTime(date: Date = new Date()): string {
  return date.toISOString();
}
