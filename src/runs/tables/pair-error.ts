import { type DdbCopyError, type DdbCopyErrorOptions, isDdbCopyError } from '../../errors.js';
import type { TablePair } from '../../plan/table-selection.js';

/** A pair's refusal, naming the pair (the message is read among many tables); other values as they are. */
export function pairError(pair: TablePair, error: unknown): unknown {
  if (!isDdbCopyError(error)) return error;
  const Class = error.constructor as new (message: string, options: DdbCopyErrorOptions) => DdbCopyError;
  return new Class(`${pair.source} → ${pair.target}: ${error.message}`, {
    ...(error.side ? { side: error.side } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}
