/** A command's Output over a stand-in stderr, for renderer tests: what `openOutput` makes from flags. */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';
import { type Output, openOutput, type Verbosity } from '../../src/cli/output/output.js';
import type { RawOptions } from '../../src/index.js';

export function testOutput(
  stderr: NodeJS.WriteStream,
  verbosity: Verbosity = 'normal',
  raw: RawOptions = {},
  command = 'copy',
): Output {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr } as unknown as CliIO;
  return openOutput(
    {
      ...raw,
      ...(verbosity === 'quiet' ? { quiet: true } : verbosity === 'verbose' ? { verbose: true } : {}),
    },
    io,
    command,
  );
}

/** A stderr stand-in that keeps what is written; `tty` makes cli-progress draw its bars into it. */
export function fakeStream(tty: boolean, columns = 200): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: tty,
    columns,
    write(chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean {
      text += String(chunk);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') (done as () => void)();
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}
