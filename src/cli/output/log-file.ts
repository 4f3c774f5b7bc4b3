import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionError } from '../../index.js';
import { timestamp } from './timestamp.js';

/**
 * `--log-file FILE`: timestamped lines appended to FILE, whatever stderr shows. Each line is written
 * at once (synchronously): a log is read after a crash, so it must not sit in a buffer.
 */
export class LogFile {
  private constructor(
    readonly file: string,
    private fd: number | undefined,
  ) {}

  /** Opens FILE for appending, creating it; a path that cannot be written is bad input (exit 2). */
  static open(file: string): LogFile {
    const resolved = path.resolve(file);
    try {
      return new LogFile(resolved, openSync(resolved, 'a'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new InvalidOptionError(
        `--log-file ${file}: the file cannot be opened for appending (${reason}).`,
        {
          hint: 'Name a file in a directory that exists and that you may write to, e.g. --log-file ./ddbcopy.log.',
        },
      );
    }
  }

  /** Appends one line (ANSI colours and cursor moves removed), stamped with the time it was written. */
  line(text: string): void {
    if (this.fd === undefined) return;
    const clean = stripAnsi(text).trimEnd();
    if (clean === '') return;
    try {
      writeSync(this.fd, `${timestamp()} ${clean}\n`);
    } catch {
      // A full disk must not stop a copy: the log is a copy of what stderr shows.
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what is removed
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
