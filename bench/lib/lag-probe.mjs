/**
 * Row 9's steady load and its end-to-end lag probe, against a source table that `ddbcopy follow` is
 * applying to a target. Run as a child process; settings as JSON in BENCH_ARGS:
 * `{ source: {account..., table}, target: {account..., table}, itemsPerSecond, batchItems,
 * probeEveryMs, pollEveryMs, durationMs, probeTimeoutMs, itemBytes }` (the bench leaves out the
 * warm-up's samples itself).
 *
 * The writer puts `itemsPerSecond` benchmark items into the source, as BatchWriteItems of
 * `batchItems` spread evenly over each second (sent on an absolute schedule, so a slow answer does not
 * lower the rate; unprocessed items are retried). Every `probeEveryMs` the probe puts a small item with
 * a unique key into the source and, once DynamoDB acknowledged it, reads the target with a consistent
 * GetItem every `pollEveryMs` until the item is there: the time from the acknowledgement to the answer
 * that found it is one end-to-end lag sample. The stream's own timestamps cannot serve: DynamoDB Local
 * rounds ApproximateCreationDateTime down to the minute.
 *
 * Prints `{ writer: {items, requests, durationMs, itemsPerSecond, errors}, probes: [{at, putMs, lagMs}],
 * missing, ... }` on stdout; `at` is ms since the load began, `lagMs` null when the probe's item never
 * reached the target within `probeTimeoutMs`.
 */
import http from 'node:http';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { itemValue } from './items.mjs';

const args = JSON.parse(process.env.BENCH_ARGS ?? '{}');
const {
  source,
  target,
  itemsPerSecond,
  batchItems,
  probeEveryMs,
  pollEveryMs,
  durationMs,
  probeTimeoutMs,
  itemBytes,
} = args;

const clientFor = (side, sockets) =>
  new DynamoDBClient({
    region: side.region,
    endpoint: side.endpoint,
    credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
    maxAttempts: 5,
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }) },
  });
const writerClient = clientFor(source, 32);
const probeSource = clientFor(source, 8);
const probeTarget = clientFor(target, 32);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const t0 = performance.now();
const elapsed = () => performance.now() - t0;

// --- the writer --------------------------------------------------------------------------------------

const writer = { items: 0, requests: 0, errors: 0, lateTicks: 0, maxInFlight: 0 };
let inFlight = 0;

async function writeBatch(first) {
  let requests = [];
  for (let i = first; i < first + batchItems; i++)
    requests.push({ PutRequest: { Item: itemValue(i, itemBytes) } });
  inFlight++;
  writer.maxInFlight = Math.max(writer.maxInFlight, inFlight);
  try {
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      writer.requests++;
      const out = await writerClient.send(
        new BatchWriteItemCommand({ RequestItems: { [source.table]: requests } }),
      );
      const left = out.UnprocessedItems?.[source.table] ?? [];
      writer.items += requests.length - left.length;
      requests = left;
    }
  } catch {
    writer.errors++;
  } finally {
    inFlight--;
  }
}

async function runWriter() {
  const tickMs = (1000 * batchItems) / itemsPerSecond;
  const ticks = Math.floor(durationMs / tickMs);
  const pending = new Set();
  for (let tick = 0; tick < ticks; tick++) {
    const wait = tick * tickMs - elapsed();
    if (wait > 0) await sleep(wait);
    else if (wait < -tickMs) writer.lateTicks++;
    const write = writeBatch(tick * batchItems);
    pending.add(write);
    write.finally(() => pending.delete(write));
  }
  await Promise.all(pending);
  writer.durationMs = elapsed();
}

// --- the probe ---------------------------------------------------------------------------------------

const probes = [];

async function probe(n) {
  const pk = `probe-${String(n).padStart(6, '0')}`;
  const at = elapsed();
  const entry = { n, at: Math.round(at), putMs: null, lagMs: null, polls: 0 };
  probes.push(entry);
  try {
    await probeSource.send(
      new PutItemCommand({ TableName: source.table, Item: { pk: { S: pk }, at: { N: String(Date.now()) } } }),
    );
  } catch (error) {
    entry.error = String(error?.name ?? error);
    return;
  }
  const acknowledged = elapsed();
  entry.putMs = Math.round((acknowledged - at) * 10) / 10;
  for (let poll = 0; ; poll++) {
    const due = acknowledged + poll * pollEveryMs;
    const wait = due - elapsed();
    if (wait > 0) await sleep(wait);
    if (elapsed() - acknowledged > probeTimeoutMs) return;
    entry.polls++;
    try {
      const out = await probeTarget.send(
        new GetItemCommand({ TableName: target.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      if (out.Item) {
        entry.lagMs = Math.round((elapsed() - acknowledged) * 10) / 10;
        return;
      }
    } catch {
      entry.pollErrors = (entry.pollErrors ?? 0) + 1;
    }
  }
}

async function runProbes() {
  const running = [];
  for (let n = 0; n * probeEveryMs < durationMs; n++) {
    const wait = n * probeEveryMs - elapsed();
    if (wait > 0) await sleep(wait);
    running.push(probe(n));
  }
  await Promise.all(running);
}

await Promise.all([runWriter(), runProbes()]);
writerClient.destroy();
probeSource.destroy();
probeTarget.destroy();
writer.itemsPerSecond = writer.items / (writer.durationMs / 1000);
process.stdout.write(
  `${JSON.stringify({
    writer,
    probes,
    probesWritten: probes.filter((p) => p.putMs !== null).length,
    missing: probes.filter((p) => p.putMs !== null && p.lagMs === null).length,
    durationMs: elapsed(),
  })}\n`,
);
