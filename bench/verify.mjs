#!/usr/bin/env node
/**
 * Measures `verify` on a 100,000-item table against DynamoDB Local: items/s and peak RSS.
 *
 *   npm run build && node bench/verify.mjs [--items 100000] [--segments N] [--only identical]
 *
 * The parent starts its own DynamoDB Local, loads the same items into two "accounts" with concurrent
 * BatchWriteItem, then runs each verify in a fresh child process, so the child's peak RSS
 * (process.resourceUsage().maxRSS) is the verify's alone, not the loader's. Runs: identical tables
 * (one digest scan per side; twice, as DynamoDB Local warms up), then the target with 5 items deleted, 5 added and 5 changed (digest plus
 * one drill-down), then an empty target (every item missing). A last child measures the CPU cost of
 * hashing alone (canonical encoding + md5), without any I/O.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const dist = (module) => path.join(repoRoot, 'dist', module);
const TABLE = 'bench';
const SOURCE = { accessKeyId: 'benchsource', secretAccessKey: 'bench', region: 'eu-west-1' };
const TARGET = { accessKeyId: 'benchtarget', secretAccessKey: 'bench', region: 'us-east-1' };
const EMPTY = { accessKeyId: 'benchempty', secretAccessKey: 'bench', region: 'us-east-1' };

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};

if (args[0] === '--child') await child(JSON.parse(args[1]));
else await parent();

async function parent() {
  const items = Number(flag('items', '100000'));
  const segments = flag('segments', undefined);
  const { startDynamoDbLocal } = await import(dist('local/dynamodb-local.js'));
  const server = await startDynamoDbLocal({
    cacheDir: path.join(repoRoot, '.cache', 'dynamodb-local'),
    heapMb: 2048,
  });
  try {
    const source = client(server.endpoint, SOURCE);
    const target = client(server.endpoint, TARGET);
    const empty = client(server.endpoint, EMPTY);
    for (const c of [source, target, empty]) await createTable(c);
    const loadStarted = performance.now();
    await Promise.all([load(source, items), load(target, items)]);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    console.log(
      `loaded ${items} items into each of two tables in ${loadSeconds.toFixed(1)} s (${Math.round((2 * items) / loadSeconds)} items/s)`,
    );

    const run = (label, targetAccount) =>
      runChild({
        mode: 'verify',
        endpoint: server.endpoint,
        source: SOURCE,
        target: targetAccount,
        segments,
      }).then((r) => report(label, r));
    // DynamoDB Local's first scan of a freshly loaded table is slower (its JIT warms up), so twice.
    await run('identical', TARGET);
    await run('identical, again', TARGET);
    if (flag('only', '') === 'identical') return;
    await changeTarget(target, items);
    await run('5 missing, 5 extra, 5 different', TARGET);
    await run('empty target', EMPTY);
    const cpu = await runChild({ mode: 'hash-only', items: Math.min(items, 100_000) });
    console.log(
      `hashing alone (canonical encoding + ${cpu.algorithm}, key text, bucket): ${cpu.microsPerItem.toFixed(2)} µs/item, ${Math.round(1e6 / cpu.microsPerItem)} items/s on one core`,
    );
    const baseline = await runChild({ mode: 'baseline' });
    console.log(`baseline: a Node process that only loads the library peaks at ${mb(baseline.maxRssKb)}`);
  } finally {
    await server.stop();
  }
}

function report(label, r) {
  const s = r.summary;
  const seconds = s.durationMs / 1000;
  console.log(
    `verify (${label}): status ${s.status}, source ${s.sourceItems}, target ${s.targetItems}, missing ${s.missing}, extra ${s.extra}, different ${s.different}, ` +
      `${seconds.toFixed(1)} s, ${Math.round(Math.max(s.sourceItems, s.targetItems) / seconds)} items/s verified ` +
      `(${Math.round(r.scanned / seconds)} items/s scanned over both sides and every pass), ` +
      `${s.mismatchedBuckets}/${s.buckets} buckets mismatched, ${s.drillDownPasses} drill-down pass(es), ` +
      `peak RSS ${mb(r.maxRssKb)}, CPU ${(r.cpuMs / 1000).toFixed(1)} s`,
  );
}

function mb(kb) {
  return `${(kb / 1024).toFixed(0)} MB`;
}

function runChild(input) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', JSON.stringify(input)],
      { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()));
      },
    );
  });
}

async function child(input) {
  if (input.mode === 'baseline') {
    await import(dist('index.js'));
    print({ maxRssKb: process.resourceUsage().maxRSS });
  } else if (input.mode === 'hash-only') {
    const { itemHash, keyText, keyBucket } = await import(dist('model/item-hash.js'));
    const items = Array.from({ length: input.items }, (_, i) => benchItem(i));
    for (const item of items.slice(0, 5000)) itemHash(item); // warm up the JIT
    const started = performance.now();
    let sink = 0;
    for (const item of items) {
      sink ^= keyBucket(keyText(item, ['pk', 'sk']), 4096) ^ itemHash(item)[0];
    }
    const micros = ((performance.now() - started) * 1000) / items.length;
    const { createHash } = await import('node:crypto');
    let algorithm = 'md5';
    try {
      createHash('md5');
    } catch {
      algorithm = 'sha256';
    }
    print({ microsPerItem: micros, algorithm, sink });
  } else {
    const { validateVerifyOptions, runVerify } = await import(dist('index.js'));
    const options = validateVerifyOptions({
      source: TABLE,
      target: TABLE,
      sourceRegion: input.source.region,
      targetRegion: input.target.region,
      sourceEndpointUrl: input.endpoint,
      targetEndpointUrl: input.endpoint,
      segments: input.segments,
    });
    const cpuBefore = process.cpuUsage();
    let scanned = 0;
    const { summary, error } = await runVerify(
      {
        ...options,
        source: { ...options.source, credentials: input.source },
        target: { ...options.target, credentials: input.target },
      },
      {
        onEvent: (event) => {
          if (event.type === 'scan-finished')
            scanned += event.stats.scanned.source + event.stats.scanned.target;
        },
      },
    );
    if (error) throw error;
    const cpu = process.cpuUsage(cpuBefore);
    print({
      summary,
      scanned,
      maxRssKb: process.resourceUsage().maxRSS,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }
}

function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function client(endpoint, account) {
  return new DynamoDBClient({
    endpoint,
    region: account.region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 10,
  });
}

async function createTable(c) {
  await c.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
    }),
  );
  await waitUntilTableExists({ client: c, maxWaitTime: 60 }, { TableName: TABLE });
}

/** About 1 KB of every attribute type; deterministic, so both tables get the same items. */
function benchItem(i) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'café', '日本'];
  const word = (n) => words[n % words.length];
  return {
    pk: { S: `customer#${String(Math.floor(i / 5)).padStart(8, '0')}` },
    sk: { S: `order#${String(i).padStart(10, '0')}` },
    status: { S: ['PENDING', 'PAID', 'SHIPPED'][i % 3] },
    total: { N: `${(i * 7919) % 100000}.${i % 100}` },
    createdAt: { N: String(1_700_000_000 + i * 37) },
    description: { S: Array.from({ length: 90 }, (_, k) => word(i + k * 3)).join(' ') },
    checksum: { B: Buffer.from(String(i * 2654435761).padStart(16, '0')) },
    gift: { BOOL: i % 5 === 0 },
    address: {
      M: {
        street: { S: `${i % 999} ${word(i)} street` },
        city: { S: word(i + 3) },
        geo: { M: { lat: { N: `${i % 90}.123456` }, lon: { N: `-${i % 180}.654321` } } },
      },
    },
    lines: {
      L: Array.from({ length: 1 + (i % 3) }, (_, k) => ({
        M: { sku: { S: `SKU-${10000 + ((i + k) % 90000)}` }, qty: { N: String(1 + k) } },
      })),
    },
    tags: { SS: ['fragile', 'gift', 'priority'].slice(0, 1 + (i % 3)) },
    scores: { NS: [String(i % 100), String(100 + (i % 7))] },
  };
}

/** Writes items [0, count) with 16 BatchWriteItem requests in flight, retrying unprocessed items. */
async function load(c, count) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      if (start >= count) return;
      next = Math.min(count, start + 25);
      let requests = [];
      for (let i = start; i < next; i++) requests.push({ PutRequest: { Item: benchItem(i) } });
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await c.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = out.UnprocessedItems?.[TABLE] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function changeTarget(c, count) {
  const key = (i) => ({ pk: benchItem(i).pk, sk: benchItem(i).sk });
  for (let k = 0; k < 5; k++) {
    await c.send(new DeleteItemCommand({ TableName: TABLE, Key: key(Math.floor((count / 5) * k)) }));
    await c.send(new PutItemCommand({ TableName: TABLE, Item: benchItem(count + k) }));
    const changed = benchItem(Math.floor((count / 5) * k) + 1);
    changed.address.M.geo.M.lat = { N: '0.5' };
    await c.send(new PutItemCommand({ TableName: TABLE, Item: changed }));
  }
}
