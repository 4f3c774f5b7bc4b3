/** Runs the built CLI as a user would: a child process, its own environment and working directory. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { type LocalAccount, newAccount, writeAwsProfiles } from './local-accounts.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'ddbcopy.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Refuses to test a CLI that is not built from the sources as they are: dist/ missing, or older than
 * the newest file under src/ (as when e2e tests are started with a bare `npx vitest` after an edit).
 */
export function assertBuilt(root = repoRoot): void {
  const main = path.join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
  }
  const built = statSync(main).mtimeMs;
  const newest = newestFile(path.join(root, 'src'));
  if (newest && newest.mtimeMs > built) {
    throw new Error(
      `dist/ is older than src/: ${path.relative(root, newest.file)} changed at ${new Date(newest.mtimeMs).toISOString()}, dist/cli/main.js was built at ${new Date(built).toISOString()}. Run \`npm run build\` (npm test does) before the e2e tests, or they test the old code.`,
    );
  }
}

/** The most recently modified file under `directory`, searched recursively. */
export function newestFile(directory: string): { file: string; mtimeMs: number } | undefined {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(file);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/** Runs `ddbcopy args` to completion. `env.HOME` doubles as the working directory. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env, cwd: env.HOME, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number when killed by a signal) and the output. */
  done: Promise<CliResult>;
}

/** Starts `ddbcopy args` without waiting, so a test can signal or kill it mid-run. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env,
    cwd: env.HOME,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGINT' ? 130 : 1), stdout, stderr });
    });
  });
  return { child, done };
}

/**
 * Two "accounts" on two endpoints (the shared DynamoDB Local and a second server started here), named
 * `src` and `dst` in a temporary AWS config, and the environment a user's shell would give the CLI.
 */
export interface TwoEndpoints {
  src: LocalAccount;
  dst: LocalAccount;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function twoEndpoints(sharedEndpoint: string, prefix: string): Promise<TwoEndpoints> {
  assertBuilt();
  const second = await startDynamoDbLocal({
    cacheDir: path.join(repoRoot, '.cache', 'dynamodb-local'),
    heapMb: 512,
  });
  const src = newAccount(sharedEndpoint, 'eu-west-1');
  const dst = newAccount(second.endpoint, 'us-west-2');
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = userEnv(dir, { src, dst });
  return {
    src,
    dst,
    env,
    async close() {
      await second.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The environment a user's shell would give the CLI: PATH, a home (also the working directory), and
 * AWS config and credentials files naming each account a profile. No AWS_* variable leaks in from the
 * test runner.
 */
export function userEnv(home: string, profiles: Record<string, LocalAccount>): NodeJS.ProcessEnv {
  const files = writeAwsProfiles(home, profiles);
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: files.configFile,
    AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile,
  };
}

/** `copy` of a table from profile `src` to profile `dst` on the given endpoints. */
export function copyArgs(table: string, sourceEndpoint: string, targetEndpoint: string): string[] {
  return [
    'copy',
    ...['--source', table, '--target', table, '--source-profile', 'src', '--target-profile', 'dst'],
    ...['--source-endpoint-url', sourceEndpoint, '--target-endpoint-url', targetEndpoint],
  ];
}
