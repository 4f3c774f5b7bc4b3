import { errorReport, isDdbCopyError } from '../../index.js';
import { printError } from '../print-error.js';
import type { Output } from './output.js';

/** How a run ended, for the last things a command writes. */
export interface RunEnd {
  /** The summary's status: completed, interrupted, failed, identical, ... */
  status: string;
  exitCode: number;
  /** One line saying how it went: what `--quiet` prints, and the `finished` event's `verdict`. */
  verdict: string;
  /** The summary block for people (not with --quiet, --json or --progress json). */
  block?: string | undefined;
  /** Also print the block after a failure (a copy that wrote items says how far it got). */
  blockOnError?: boolean;
  error?: unknown;
}

/**
 * The end of every command, in one order: the summary block (or with --quiet the one-line verdict;
 * nothing with --json, whose document is on stdout), then the error; with --progress json the
 * `finished` event instead of text. The log file gets the verdict whatever stderr shows.
 */
export function reportEnd(output: Output, end: RunEnd, options: { json: boolean }): void {
  const { error } = end;
  const stderr = output.io.stderr;
  if (output.progress === 'json') {
    output.event('finished', {
      status: end.status,
      exitCode: end.exitCode,
      verdict: end.verdict,
      ...(error && isDdbCopyError(error) ? { error: errorReport(error) } : {}),
    });
    output.log?.line(end.verdict);
  } else if (!options.json) {
    const showBlock = end.block !== undefined && output.verbosity !== 'quiet' && (!error || end.blockOnError);
    if (showBlock) stderr.write(`${end.block}\n`);
    else if (!error) stderr.write(`${end.verdict}\n`);
    else output.log?.line(end.verdict);
  } else {
    output.log?.line(end.verdict);
  }
  if (error) printError(output.io, error, output.verbosity === 'verbose');
}
