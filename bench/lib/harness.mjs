/**
 * The benchmark's moving parts: the stub endpoint (a child process), DynamoDB Local, the fault proxy
 * (test/harness/fault-proxy.ts, transpiled on the fly), local "accounts" as AWS profiles, and measured
 * client processes.
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = pathToFileURL(path.join(ROOT, 'bench', 'lib', 'measure-hook.mjs')).href;
export const CLI = path.join(ROOT, 'bin', 'ddbcopy.js');

// --- The stub --------------------------------------------------------------------------------------

export async function startStub() {
  const child = fork(path.join(ROOT, 'bench', 'stub-dynamodb.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`stub exited (${code}) before it was ready`)));
    child.once('message', (message) => resolve(message.port));
  });
  let lastId = 0;
  const waiting = new Map();
  child.on('message', (message) => {
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const call = (message) =>
    new Promise((resolve) => {
      const id = ++lastId;
      waiting.set(id, resolve);
      child.send({ ...message, id });
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    define: (...tables) => call({ type: 'define', tables }),
    stats: (table, sourceItems, segments) => call({ type: 'stats', table, sourceItems, segments }),
    reset: (table) => call({ type: 'reset', table }),
    /** Accounts (from newAccount) whose signatures the stub accepts; it refuses every other key. */
    trust: (...accounts) => call({ type: 'trust', keys: keysOf(accounts) }),
    /**
     * Accounts whose requests come through the fault proxy, which checks their signatures (start it
     * with `verifySignatures: secretsOf(accounts)`) and then rewrites them: the stub leaves them be.
     */
    trustProxied: (...accounts) => call({ type: 'trust', keys: keysOf(accounts), proxied: true }),
    usage: () => call({ type: 'usage' }),
    stop: () => {
      child.kill();
    },
  };
}

const keysOf = (accounts) =>
  Object.fromEntries(accounts.map((account) => [account.accessKeyId, account.secretAccessKey]));

/** A SigV4 secret lookup (test/harness/sigv4-check.mjs) for the given accounts. */
export function secretsOf(accounts) {
  const secrets = new Map(accounts.map((account) => [account.accessKeyId, account.secretAccessKey]));
  return (accessKeyId) => secrets.get(accessKeyId);
}

// --- DynamoDB Local and the fault proxy ------------------------------------------------------------

export async function startLocal(heapMb, log) {
  const { startDynamoDbLocal } = await import(
    pathToFileURL(path.join(ROOT, 'dist', 'local', 'dynamodb-local.js')).href
  );
  return startDynamoDbLocal({ cacheDir: path.join(ROOT, '.cache', 'dynamodb-local'), heapMb, log });
}

/**
 * Imports test/harness/fault-proxy.ts, transpiled into `tempDir`: besides node:* and type imports it
 * imports only modules of src/, which are pointed at their built twins in dist/, and plain-JS
 * modules of test/harness (`./NAME.mjs`: the SigV4 check), pointed at where they are.
 */
export async function loadFaultProxy(tempDir) {
  const { default: ts } = await import('typescript');
  const source = readFileSync(path.join(ROOT, 'test', 'harness', 'fault-proxy.ts'), 'utf8');
  const transpiled = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: 'fault-proxy.ts',
  });
  const outputText = transpiled.outputText
    .replace(
      /from '\.\.\/\.\.\/src\/([^']+)'/g,
      (_match, file) => `from '${pathToFileURL(path.join(ROOT, 'dist', file)).href}'`,
    )
    .replace(
      /from '\.\/([^'/]+\.mjs)'/g,
      (_match, file) => `from '${pathToFileURL(path.join(ROOT, 'test', 'harness', file)).href}'`,
    );
  const file = path.join(tempDir, 'fault-proxy.mjs');
  writeFileSync(file, outputText);
  return import(pathToFileURL(file).href);
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh DynamoDB Local "account" (its own access key id), in the given region. */
export function newAccount(name, endpoint, region) {
  const suffix = Array.from(randomBytes(12), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
  return { name, accessKeyId: `bench${suffix}`, secretAccessKey: `secret${suffix}`, region, endpoint };
}

/** Writes an AWS config + credentials file with one profile per account; returns the env that uses them. */
export function writeProfiles(dir, accounts) {
  mkdirSync(dir, { recursive: true });
  const config = [];
  const credentials = [];
  for (const account of accounts) {
    config.push(`[profile ${account.name}]`, `region = ${account.region}`, '');
    credentials.push(
      `[${account.name}]`,
      `aws_access_key_id = ${account.accessKeyId}`,
      `aws_secret_access_key = ${account.secretAccessKey}`,
      '',
    );
  }
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  writeFileSync(configFile, config.join('\n'), { mode: 0o600 });
  writeFileSync(credentialsFile, credentials.join('\n'), { mode: 0o600 });
  return { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile };
}

export function clientFor(account, endpoint = account.endpoint) {
  return new DynamoDBClient({
    region: account.region,
    endpoint,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 5,
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }) },
  });
}

/** A `pk` (S) HASH table, on-demand or provisioned; DynamoDB Local makes it ACTIVE at once. */
export async function createTable(client, name, provisioned) {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      ...(provisioned
        ? {
            BillingMode: 'PROVISIONED',
            ProvisionedThroughput: { ReadCapacityUnits: provisioned, WriteCapacityUnits: provisioned },
          }
        : { BillingMode: 'PAY_PER_REQUEST' }),
    }),
  );
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become ACTIVE`);
}

export async function deleteTable(client, name) {
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch {
    // Already gone, or never made: nothing to free.
  }
}

/** Items in a table, counted by a parallel Scan with Select COUNT. */
export async function countItems(client, table, segments = 4) {
  const counts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let count = 0;
      let startKey;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            Select: 'COUNT',
            Segment: segment,
            TotalSegments: segments,
            Limit: 5000,
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

// --- Measured client processes ---------------------------------------------------------------------

/**
 * Runs `node [--cpu-prof] script args` as its own process with the measuring hook preloaded (under
 * `wrapper`, e.g. `perf record --`, when given); resolves with its exit, wall time, CPU (all
 * threads), peak RSS and output. `watch(child)` may kill it.
 */
export async function runMeasured({
  script,
  args = [],
  env = {},
  tempDir,
  profileDir,
  wrapper,
  nodeFlags = [],
  watch,
}) {
  const usageFile = path.join(tempDir, `usage-${randomBytes(6).toString('hex')}.json`);
  const nodeArgs = ['--import', HOOK, ...nodeFlags];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const command = [...(wrapper ?? []), process.execPath, ...nodeArgs, script, ...args];
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), {
    cwd: tempDir,
    env: { ...cleanEnv(), ...env, BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const stopWatching = watch ? watch(child) : undefined;
  const [exitCode, signal] = await new Promise((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  const wallMs = performance.now() - started;
  stopWatching?.();
  let usage;
  try {
    usage = JSON.parse(readFileSync(usageFile, 'utf8'));
    rmSync(usageFile, { force: true });
  } catch {
    usage = undefined;
  }
  return {
    /** Node's own pid (under a wrapper such as perf, not the wrapper's). */
    pid: usage?.pid ?? child.pid,
    exitCode,
    signal,
    wallMs,
    cpuMs: usage ? usage.userMs + usage.systemMs : undefined,
    userMs: usage?.userMs,
    systemMs: usage?.systemMs,
    maxRssMb: usage ? usage.maxRssKb / 1024 : undefined,
    /** Peaks of V8 heap (total, used) and of memory outside it (external, ArrayBuffers), MB, sampled. */
    peakMb: usage?.peakMb,
    stdout,
    stderr,
  };
}

/** The environment without anything that would point a client at real AWS or another profile. */
function cleanEnv() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_') || name.startsWith('npm_')) delete env[name];
  }
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  return env;
}

/** The `--json` summary a ddbcopy run printed, or an error naming what it said instead. */
export function summaryOf(run, what) {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(
      `${what}: ddbcopy exited ${run.exitCode ?? run.signal} without a JSON summary.\n${run.stderr.slice(-2000)}`,
    );
  }
}

/** The one JSON line a helper process (loader, peer) printed. */
export function jsonLine(run, what) {
  const line = run.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what} exited ${run.exitCode ?? run.signal}:\n${run.stderr.slice(-2000)}`);
  }
}
