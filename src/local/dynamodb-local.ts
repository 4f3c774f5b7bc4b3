/**
 * Fetches and runs Amazon's DynamoDB Local for `ddbcopy demo` and the tests.
 *
 * The jar comes from an npm package (Amazon's own download has no pinned checksum we could verify),
 * so the only tool needed besides Java is npm, which every user of this CLI already has.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { LocalServerError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** The npm package that carries the DynamoDB Local jar (v1.25.1) under `emulator/`; integrity is the registry's. */
export const DYNAMODB_LOCAL_PACKAGE = {
  name: 'amplify-dynamodb-simulator',
  version: '2.9.30',
  integrity:
    'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==',
} as const;

const JAR = 'DynamoDBLocal.jar';
const LIB_DIR = 'DynamoDBLocal_lib';
/** Written after the extraction is complete, so a directory holding it is known to be whole. */
const COMPLETE_MARKER = '.ddbcopy-complete';
const READY_TIMEOUT_MS = 60_000;
const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 5_000;
/** Enough of the server's output to show why it failed (a Java stack trace) without keeping it all. */
const OUTPUT_TAIL_BYTES = 8 * 1024;
/** A port picked by us can be taken by another process before Java binds it; try a few fresh ones. */
const PORT_ATTEMPTS = 3;

export interface LocalServer {
  /** `http://127.0.0.1:PORT`, ready to answer. */
  endpoint: string;
  port: number;
  /** Stops the server and resolves once its process has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EnsureOptions {
  cacheDir: string;
  log?: (message: string) => void;
}

export interface StartOptions {
  cacheDir: string;
  /** A free port on 127.0.0.1 is chosen when absent. */
  port?: number;
  /** Java's max heap; DynamoDB Local's default is a quarter of RAM, far more than a demo needs. */
  heapMb?: number;
  log?: (message: string) => void;
}

/**
 * Returns a directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`, downloading and
 * verifying the package on first use. Concurrent callers (test workers) each extract into their own
 * temporary directory and rename it into place; the loser of that race uses the winner's copy.
 */
export async function ensureDynamoDbLocal(options: EnsureOptions): Promise<string> {
  const { cacheDir, log = () => {} } = options;
  const finalDir = path.join(cacheDir, `${DYNAMODB_LOCAL_PACKAGE.name}-${DYNAMODB_LOCAL_PACKAGE.version}`);
  if (await isComplete(finalDir)) return finalDir;

  await mkdir(cacheDir, { recursive: true });
  const workDir = path.join(cacheDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(workDir);
  try {
    const started = Date.now();
    log(
      `Downloading DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE.name}@${DYNAMODB_LOCAL_PACKAGE.version}, ~57 MB)...`,
    );
    const tarball = await npmPack(workDir);
    try {
      await verifyIntegrity(tarball.file, tarball.reportedIntegrity);
      await extractEmulator(tarball.file, workDir);
    } finally {
      await rm(tarball.file, { force: true });
    }
    const extracted = path.join(workDir, 'package', 'emulator');
    await assertRunnable(extracted);
    await writeFile(path.join(extracted, COMPLETE_MARKER), `${DYNAMODB_LOCAL_PACKAGE.integrity}\n`);

    try {
      await rename(extracted, finalDir);
    } catch (error) {
      // Another process renamed its copy first (rename onto a non-empty directory fails): use that one.
      if (!isErrno(error, 'ENOTEMPTY', 'EEXIST', 'EPERM') || !(await isComplete(finalDir))) {
        throw new LocalServerError(`Could not move DynamoDB Local into ${finalDir}.`, {
          cause: error,
          hint: `Delete ${finalDir} and try again.`,
        });
      }
    }
    log(`DynamoDB Local ready in ${finalDir} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
    return finalDir;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function isComplete(dir: string): Promise<boolean> {
  try {
    const marker = await readFile(path.join(dir, COMPLETE_MARKER), 'utf8');
    return marker.trim() === DYNAMODB_LOCAL_PACKAGE.integrity;
  } catch {
    return false;
  }
}

interface PackedTarball {
  file: string;
  reportedIntegrity: string | undefined;
}

async function npmPack(destination: string): Promise<PackedTarball> {
  const spec = `${DYNAMODB_LOCAL_PACKAGE.name}@${DYNAMODB_LOCAL_PACKAGE.version}`;
  let stdout: string;
  try {
    // cwd outside any project, so a project's workspaces or scripts cannot change what npm does.
    ({ stdout } = await execFileAsync('npm', ['pack', spec, '--json', '--pack-destination', destination], {
      cwd: destination,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10 * 60_000,
    }));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) {
      throw new LocalServerError('npm is needed to download DynamoDB Local, and it was not found on PATH.', {
        cause: error,
        hint: 'Install Node.js with npm (https://nodejs.org), then run the command again.',
      });
    }
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new LocalServerError(
      `Downloading ${spec} with npm failed.${stderr ? `\n${tail(stderr, 2048)}` : ''}`,
      {
        cause: error,
        hint: 'This needs network access to the npm registry (or a mirror set in .npmrc); check the connection or proxy settings.',
      },
    );
  }

  const entry = parsePackOutput(stdout);
  const filename = entry?.filename;
  if (typeof filename !== 'string' || filename === '') {
    throw new LocalServerError(`npm pack did not report the file it wrote:\n${tail(stdout, 2048)}`, {
      hint: 'Check that `npm --version` works and is npm 7 or later.',
    });
  }
  const file = path.join(destination, path.basename(filename));
  return { file, reportedIntegrity: typeof entry?.integrity === 'string' ? entry.integrity : undefined };
}

function parsePackOutput(stdout: string): { filename?: unknown; integrity?: unknown } | undefined {
  // npm may print notices before the JSON document, so start at the array.
  const start = stdout.indexOf('[');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(stdout.slice(start));
    return Array.isArray(parsed) ? (parsed[0] as { filename?: unknown; integrity?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** Hashes the tarball ourselves: npm's report alone would trust whatever the registry or a proxy served. */
async function verifyIntegrity(file: string, reportedIntegrity: string | undefined): Promise<void> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = `sha512-${hash.digest('base64')}`;
  const expected = DYNAMODB_LOCAL_PACKAGE.integrity;
  if (actual !== expected || (reportedIntegrity !== undefined && reportedIntegrity !== expected)) {
    await rm(file, { force: true });
    throw new LocalServerError(
      `The downloaded ${DYNAMODB_LOCAL_PACKAGE.name}@${DYNAMODB_LOCAL_PACKAGE.version} does not match its pinned checksum ` +
        `(expected ${expected}, got ${actual}${reportedIntegrity ? `, npm reported ${reportedIntegrity}` : ''}).`,
      {
        hint: 'A registry mirror or proxy may be serving a different file; run `npm cache verify` and try again.',
      },
    );
  }
}

async function extractEmulator(file: string, dir: string): Promise<void> {
  try {
    await execFileAsync('tar', ['-xzf', file, '-C', dir, 'package/emulator'], {
      maxBuffer: 4 * 1024 * 1024,
      timeout: 5 * 60_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new LocalServerError(
      `Extracting DynamoDB Local failed.${stderr ? `\n${tail(stderr, 2048)}` : ''}`,
      {
        cause: error,
        hint: isErrno(error, 'ENOENT')
          ? 'The `tar` command is needed and was not found on PATH.'
          : 'Check the free disk space in the cache directory.',
      },
    );
  }
}

async function assertRunnable(dir: string): Promise<void> {
  try {
    await access(path.join(dir, JAR), constants.R_OK);
    if (!(await stat(path.join(dir, LIB_DIR))).isDirectory())
      throw new Error(`${LIB_DIR} is not a directory`);
  } catch (error) {
    throw new LocalServerError(
      `The ${DYNAMODB_LOCAL_PACKAGE.name} package no longer has ${JAR} where expected.`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The path of a `java` that runs, or undefined. An explicit JAVA_HOME wins over PATH, because
 * setting it is how a user picks a newer Java than the system default.
 */
export async function findJava(): Promise<string | undefined> {
  const executable = process.platform === 'win32' ? 'java.exe' : 'java';
  const candidates: string[] = [];
  const javaHome = process.env['JAVA_HOME'];
  if (javaHome) candidates.push(path.join(javaHome, 'bin', executable));
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir) candidates.push(path.join(dir, executable));
  }
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      await execFileAsync(candidate, ['-version'], { timeout: 15_000 });
      return candidate;
    } catch {
      // Not there, or a broken install (e.g. a dangling alternatives link): try the next one.
    }
  }
  return undefined;
}

/** Starts DynamoDB Local in memory and resolves once it answers requests. */
export async function startDynamoDbLocal(options: StartOptions): Promise<LocalServer> {
  const log = options.log ?? (() => {});
  const java = await findJava();
  if (!java) {
    throw new LocalServerError(
      'Java 17 or later is needed to run DynamoDB Local, and none was found on PATH.',
      {
        hint: 'Install it, e.g. `sudo apt-get install -y openjdk-17-jre-headless`, or set JAVA_HOME.',
      },
    );
  }
  const dir = await ensureDynamoDbLocal({ cacheDir: options.cacheDir, log });
  const heapMb = options.heapMb ?? 1024;

  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch({ java, dir, port, heapMb, log });
    } catch (error) {
      const portTaken = error instanceof PortInUseError;
      if (!portTaken || options.port !== undefined || attempt >= PORT_ATTEMPTS) {
        throw portTaken ? error.toLocalServerError() : error;
      }
      log(`Port ${port} was taken before DynamoDB Local could bind it; trying another.`);
    }
  }
}

class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly output: string,
  ) {
    super(`port ${port} in use`);
  }

  toLocalServerError(): LocalServerError {
    return new LocalServerError(
      `DynamoDB Local could not listen on port ${this.port}: it is in use.\n${this.output}`,
      {
        hint: 'Choose another port, or stop the process using it.',
      },
    );
  }
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

interface LaunchOptions {
  java: string;
  dir: string;
  port: number;
  heapMb: number;
  log: (message: string) => void;
}

async function launch({ java, dir, port, heapMb, log }: LaunchOptions): Promise<LocalServer> {
  const started = Date.now();
  const args = [
    `-Xmx${heapMb}m`,
    `-Djava.library.path=./${LIB_DIR}`,
    '-jar',
    JAR,
    '-inMemory',
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const child = spawn(java, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail(OUTPUT_TAIL_BYTES);
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  // A test run or demo that ends without calling stop() must not leave a JVM behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  // 'close' comes after the output pipes drain, so an error message shows all of the last words.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) => {
      process.off('exit', killOnExit);
      reject(
        new LocalServerError(`Could not start ${java}.`, {
          cause: error,
          hint: 'Check the Java installation.',
        }),
      );
    });
  });
  spawnError.catch(() => {});

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopChild(child, exited);
    return stopping;
  };

  // Ends the polling loop when the spawn itself failed, so it does not keep the event loop busy.
  const polling = new AbortController();
  try {
    await Promise.race([waitUntilReady(port, child, output, closed, polling.signal), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    polling.abort();
  }
  log(`DynamoDB Local listening on http://127.0.0.1:${port} (started in ${Date.now() - started} ms).`);
  return { endpoint: `http://127.0.0.1:${port}`, port, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntilReady(
  port: number,
  child: ChildProcess,
  output: OutputTail,
  closed: Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !signal.aborted) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await Promise.race([closed, delay(1_000)]);
      const text = output.text();
      if (/BindException|Address already in use/i.test(text)) throw new PortInUseError(port, text);
      throw new LocalServerError(
        `DynamoDB Local exited before it was ready (${child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode}). Its output:\n${text}`,
        { hint: 'Java 17 or later is needed; check `java -version`.' },
      );
    }
    // A failed start (e.g. the port is taken) leaves the JVM running on its other threads: don't wait 60 s.
    if (output.text().includes('Exception in thread "main"')) {
      await delay(500);
      const text = output.text();
      if (/BindException|Address already in use/i.test(text)) throw new PortInUseError(port, text);
      throw new LocalServerError(`DynamoDB Local failed to start. Its output:\n${text}`, {
        hint: 'Java 17 or later is needed; check `java -version`.',
      });
    }
    if (await probe(port)) return;
    await delay(PROBE_INTERVAL_MS);
  }
  if (signal.aborted) return;
  throw new LocalServerError(
    `DynamoDB Local did not answer on port ${port} within ${READY_TIMEOUT_MS / 1000} s. Its output:\n${output.text()}`,
    { hint: 'The machine may be overloaded; try again, or give Java more memory.' },
  );
}

/**
 * One ListTables call by hand, so readiness does not depend on the AWS SDK. DynamoDB Local needs an
 * Authorization header naming an access key but never checks the signature.
 */
function probe(port: number): Promise<boolean> {
  const body = '{}';
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        timeout: PROBE_TIMEOUT_MS,
        agent: false,
        headers: {
          'X-Amz-Target': 'DynamoDB_20120810.ListTables',
          'Content-Type': 'application/x-amz-json-1.0',
          Authorization:
            'AWS4-HMAC-SHA256 Credential=probe/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.end(body);
  });
}

/** Keeps only the last `limit` bytes of a stream. */
class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.length >= this.limit) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    return tail(Buffer.concat(this.chunks).toString('utf8'), this.limit).trim();
  }
}

function tail(text: string, limit: number): string {
  return text.length <= limit ? text : `...${text.slice(text.length - limit)}`;
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}
