/**
 * `--json` keeps its promise for bad input too: a run refused before it starts prints one JSON
 * document on stdout (scripts parse stdout), with the error's code, message and hint, and exits 2;
 * the human message still goes to stderr. Without --json, stdout stays empty.
 */
import { describe, expect, it } from 'vitest';
import { runMain } from '../harness/run-main.js';

const run = runMain;

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

  it('export and import: a bad flag value, --progress or --log-file give the document too, before anything runs', async () => {
    const cases: [string[], RegExp][] = [
      [['export', '--json', '--source', 'a', '--out', './x', '--segments', 'abc'], /^--segments must be/],
      [['import', '--json', '--target', 'b'], /^--from is required/],
      [
        ['export', '--json', '--source', 'a', '--out', './x', '--progress', 'fancy'],
        /^--progress must be one of/,
      ],
      [
        ['import', '--json', '--from', './x', '--target', 'b', '--log-file', '/no/such/dir/ddbcopy.log'],
        /^--log-file \/no\/such\/dir\/ddbcopy\.log: the file cannot be opened for appending \(ENOENT\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      const document = JSON.parse(result.stdout);
      expect(document).toMatchObject({
        command: args[0],
        status: 'failed',
        error: { code: 'INVALID_OPTION' },
      });
      expect(document.error.message, args.join(' ')).toMatch(message);
      expect(result.stderr).toMatch(/^error: /);
    }
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
