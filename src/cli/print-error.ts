import { isDdbCopyError } from '../index.js';
import type { CliIO } from './io.js';

/** One paragraph a user can act on: what is wrong, where, and what to do. Stacks only with --verbose. */
export function printError(io: CliIO, error: unknown, verbose: boolean): void {
  if (isDdbCopyError(error) && error.code === 'ABORTED') {
    // The user said no at a prompt: a normal end, not an error.
    io.stderr.write(`${error.message}\n`);
    return;
  }
  if (isDdbCopyError(error)) {
    io.stderr.write(`error: ${error.message}\n`);
    if (error.hint) io.stderr.write(`hint: ${error.hint}\n`);
    if (verbose && error.cause) io.stderr.write(`cause: ${describeCause(error.cause)}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ddbcopy hit an unexpected error, which is a bug: ${message}\n`);
  io.stderr.write(
    verbose && error instanceof Error && error.stack
      ? `${error.stack}\n`
      : 'hint: run again with --verbose for details, and please report it.\n',
  );
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
