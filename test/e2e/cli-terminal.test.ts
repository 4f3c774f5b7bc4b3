/**
 * The built CLI on a real pseudo-terminal (util-linux `script`): a copy draws its bar with WCU/s and
 * RCU/s, then the summary starts on a line of its own after the bar's last frame and nothing is drawn
 * over it; Ctrl-C typed at the deletion prompt aborts with exit 130 and touches nothing. Skipped where
 * `script` is missing.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { assertBuilt, copyArgs, repoRoot, userEnv } from '../harness/cli.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
  scanAll,
} from '../harness/local-accounts.js';

const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `ddbcopy args` as one shell command line for `script -c`, each word quoted. */
function cliCommand(args: string[]): string {
  const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
  return [process.execPath, path.join(repoRoot, 'bin', 'ddbcopy.js'), ...args].map(quote).join(' ');
}

/** Runs `ddbcopy args` with stdin, stdout and stderr on a pseudo-terminal; resolves with what it drew. */
function runOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; text: string }> {
  const command = cliCommand(args);
  return new Promise((resolve) => {
    // -e: script exits with the command's code; -q: no "Script started" lines; -f: flush as it goes.
    execFile(
      'script',
      ['-qefc', command, '/dev/null'],
      { env, cwd: env.HOME, timeout: 120_000 },
      (error, stdout) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, text: stdout });
      },
    );
  });
}

/**
 * Runs `ddbcopy args` on a pseudo-terminal and, once it has drawn `prompt`, types `keys` into it as a
 * keyboard would (Ctrl-C is the byte 0x03: the terminal turns it into SIGINT for the CLI).
 */
function typeAtPrompt(
  args: string[],
  env: NodeJS.ProcessEnv,
  prompt: string,
  keys: string,
): Promise<{ code: number; text: string }> {
  const command = cliCommand(args);
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env, cwd: env.HOME });
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
  });
  void (async () => {
    for (let waited = 0; !text.includes(prompt) && waited < 60_000; waited += 50) await delay(50);
    child.stdin.write(keys);
  })();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, text })));
}

describe.runIf(hasScript())('the built CLI on a terminal', () => {
  const endpoint = inject('ddbEndpoint');
  let dir: string;
  let src: LocalAccount;

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-terminal-'));
    src = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(src), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(src), 'orders', variedItems(2_000, 4, KEYS));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the bar with capacity against the cap, and prints the summary below its last frame', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    const env = userEnv(path.join(dir, 'bar'), { src, dst });
    // A write rate keeps the bar on screen for a few frames.
    const args = [...copyArgs('orders', endpoint, endpoint), '--yes', '--write-rate', '1500'];
    const { code, text } = await runOnTerminal(args, env);
    expect(code, text).toBe(0);
    expect(text).toMatch(/2,000\/2,000 items/);
    expect(text).toMatch(/[\d,]+ WCU\/s of 1,500, [\d,]+ RCU\/s/);
    const summary = text.indexOf('Copy completed: orders');
    expect(summary, text).toBeGreaterThan(text.lastIndexOf('2,000/2,000 items'));
    // The summary's first line starts a line: the bar's last frame was ended, not drawn over.
    expect(text.slice(0, summary)).toMatch(/\r?\n$/);
    const after = text.slice(summary);
    expect(after).not.toContain('items |');
    // Nothing moves the cursor or clears a line once the summary is out (showing the cursor is fine).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes are what is looked for
    expect(after).not.toMatch(/\u001b\[(?:\d*[GKJ]|\d*;\d*H)|\r(?!\n)/);
  }, 120_000);

  it('Ctrl-C typed at the deletion prompt: "Aborted; nothing was changed.", exit 130, the target untouched', async () => {
    const dst = newAccount(endpoint, 'us-east-1');
    await createTableAndWait(accountClient(dst), hashRangeTable('orders', 'S', 'N'));
    await putItems(accountClient(dst), 'orders', variedItems(5, 9, KEYS));
    const env = userEnv(path.join(dir, 'prompt'), { src, dst });
    const { code, text } = await typeAtPrompt(
      copyArgs('orders', endpoint, endpoint),
      env,
      'Type the table name to confirm',
      '\u0003',
    );
    expect(text).toContain('Type the table name to confirm');
    expect(text).toContain('Aborted; nothing was changed.');
    expect(text).not.toContain('which is a bug');
    expect(code, text).toBe(130);
    expect(await scanAll(accountClient(dst), 'orders')).toHaveLength(5);
  }, 120_000);
});
