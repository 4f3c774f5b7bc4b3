/**
 * `--json` keeps its promise for bad input too: a run refused before it starts prints one JSON
 * document on stdout (scripts parse stdout), with the error's code, message and hint, and exits 2;
 * the human message still goes to stderr. Without --json, stdout stays empty.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout, stderr };
}

describe('--json on bad input', () => {
  it('a refused flag value: one JSON document on stdout, the message on stderr, exit 2', async () => {
    const result = await run(['copy', '--json', '--source', 'a', '--target', 'b', '--segments', 'abc']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      command: 'copy',
      status: 'failed',
      error: {
        code: 'INVALID_OPTION',
        message: "--segments must be a whole number from 1 to 1000000, not 'abc'.",
        hint: null,
        side: null,
      },
    });
    expect(result.stderr).toMatch(/^error: --segments must be/);
  });

  it('a missing required flag and an unknown flag (commander) also give the document', async () => {
    const missing = await run(['verify', '--json', '--target', 'b']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      command: 'verify',
      status: 'failed',
      error: { code: 'INVALID_OPTION', message: '--source is required.' },
    });
    const unknown = await run(['export', '--json', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      command: 'export',
      status: 'failed',
      error: { code: 'INVALID_OPTION', message: expect.stringContaining("unknown option '--bogus'") },
    });
  });

  it('iam-policy keeps stdout for policy documents only', async () => {
    const refused = await run(['iam-policy', '--source', 'a', '--target', 'b', '--side', 'target', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
  });

  it('without --json, stdout stays empty', async () => {
    const result = await run(['copy', '--target', 'b']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
