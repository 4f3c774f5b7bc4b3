/**
 * Ctrl-C or Ctrl-D at a prompt is a normal abort (issue "the first hour", item 2): AbortedByUserError,
 * exit 130, "Aborted; nothing was changed." — never "an unexpected error, which is a bug".
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseResume, confirmDeletion } from '../../src/cli/confirm.js';
import type { CliIO } from '../../src/cli/io.js';
import { printError } from '../../src/cli/print-error.js';
import { AbortedByUserError } from '../../src/errors.js';
import type { CheckpointRecord } from '../../src/runs/shared/checkpoint.js';

function terminal(): { io: CliIO; stdin: PassThrough; stderr: PassThrough; text: () => string } {
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (chunk) => {
    text += String(chunk);
  });
  // A terminal: readline reads keys (Ctrl-C is \x03) and writes to it.
  Object.assign(stdin, { isTTY: true, setRawMode: () => stdin });
  Object.assign(stderr, { isTTY: true, columns: 80 });
  const io = { stdin, stderr, stdout: new PassThrough() } as unknown as CliIO;
  return { io, stdin, stderr, text: () => text };
}

const target = { table: 'orders', region: 'eu-west-1', endpoint: undefined };

describe('a prompt answered with Ctrl-C or Ctrl-D', () => {
  it('Ctrl-C at the deletion prompt: AbortedByUserError, exit 130', async () => {
    const t = terminal();
    const asked = confirmDeletion(t.io, target);
    setTimeout(() => t.stdin.write('\x03'), 20);
    const error = await asked.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedByUserError);
    expect((error as AbortedByUserError).exitCode).toBe(130);
    expect((error as AbortedByUserError).message).toBe('Aborted; nothing was changed.');
  });

  it('Ctrl-D (end of input) at the resume prompt: the same', async () => {
    const t = terminal();
    const record = { totals: { itemsWritten: 10 }, updatedAt: 'now' } as CheckpointRecord;
    const asked = chooseResume(t.io, 'run.json', record);
    setTimeout(() => t.stdin.end(), 20);
    await expect(asked).rejects.toBeInstanceOf(AbortedByUserError);
  });

  it('an answer still works, and the abort prints as a plain line, not as an error or a bug', async () => {
    const t = terminal();
    const asked = confirmDeletion(t.io, target);
    setTimeout(() => t.stdin.write('orders\r'), 20);
    await expect(asked).resolves.toBe(true);

    const out = terminal();
    printError(out.io, new AbortedByUserError('Aborted; nothing was changed.'), false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe('Aborted; nothing was changed.\n');
  });
});
