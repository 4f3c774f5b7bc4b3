/**
 * Runs the CLI's `main` in-process, as a terminal-less user would, capturing what it writes: for
 * unit tests of flags, help and messages that need no built dist/ and no child process.
 */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[]): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (chunk) => {
    stdout += String(chunk);
  });
  err.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const io = { stdin: new PassThrough(), stdout: out, stderr: err } as unknown as CliIO;
  const code = await main(args, io);
  // The streams deliver what was written on the next turn.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout, stderr };
}
