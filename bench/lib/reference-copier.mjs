/**
 * The reference copier: what a user would write in an afternoon from the AWS documentation's pattern
 * for copying a table with the AWS SDK v3 (a parallel Scan feeding BatchWriteItem), so the bench can
 * set ddbcopy against plain SDK code in the same run. Written here for the bench, not taken from
 * anywhere: the low-level DynamoDBClient (items stay AttributeValue maps), 8 Scan segments
 * (`Segment`/`TotalSegments`, 1 MB pages), their items cut into batches of 25 on a queue (bounded, so
 * memory stays bounded), 16 writers each sending one BatchWriteItem at a time, and UnprocessedItems
 * sent again after a backoff (exponential with full jitter, as the AWS docs advise), with no limit on
 * the attempts: an item is never dropped. No rate limit, no checkpoint, no schema: the target table
 * must exist. The client's own retries (throttling, 5xx) are the SDK's standard ones.
 *
 * Run as a child process; settings as JSON in BENCH_ARGS:
 * `{ source: { endpoint, region, accessKeyId, secretAccessKey, table }, destination: { ... }, segments, writers }`;
 * prints `{ scanned, written, batches, unprocessedRetries, durationMs }` on stdout.
 */
import { BatchWriteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

const { source, destination, segments = 8, writers = 16 } = JSON.parse(process.env.BENCH_ARGS ?? '{}');
/** Batches waiting for a writer before the scanners wait: two per writer. */
const QUEUE_LIMIT = 2 * writers;
const BATCH_ITEMS = 25;

const clientOf = (side) =>
  new DynamoDBClient({
    region: side.region,
    endpoint: side.endpoint,
    credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
  });
const sourceClient = clientOf(source);
const destinationClient = clientOf(destination);

/** A bounded queue of batches: `put` waits while it is full, `take` while it is empty; `close` ends it. */
const queue = [];
let closed = false;
let wakeTakers = [];
let wakePutters = [];
const wake = (list) => {
  for (const resolve of list) resolve();
  return [];
};
async function put(batch) {
  while (queue.length >= QUEUE_LIMIT) await new Promise((resolve) => wakePutters.push(resolve));
  queue.push(batch);
  wakeTakers = wake(wakeTakers);
}
async function take() {
  for (;;) {
    if (queue.length > 0) {
      const batch = queue.shift();
      wakePutters = wake(wakePutters);
      return batch;
    }
    if (closed) return undefined;
    await new Promise((resolve) => wakeTakers.push(resolve));
  }
}

let scanned = 0;
let written = 0;
let batches = 0;
let unprocessedRetries = 0;

async function scanSegment(segment) {
  let ExclusiveStartKey;
  do {
    const page = await sourceClient.send(
      new ScanCommand({
        TableName: source.table,
        Segment: segment,
        TotalSegments: segments,
        ExclusiveStartKey,
      }),
    );
    const items = page.Items ?? [];
    scanned += items.length;
    for (let i = 0; i < items.length; i += BATCH_ITEMS) await put(items.slice(i, i + BATCH_ITEMS));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function writer() {
  for (let batch = await take(); batch; batch = await take()) {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) {
        unprocessedRetries++;
        await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
      }
      const out = await destinationClient.send(
        new BatchWriteItemCommand({ RequestItems: { [destination.table]: requests } }),
      );
      batches++;
      const left = out.UnprocessedItems?.[destination.table] ?? [];
      written += requests.length - left.length;
      requests = left;
    }
  }
}

const started = performance.now();
const writing = Promise.all(Array.from({ length: writers }, () => writer()));
// A writer that failed leaves the scanners waiting on a full queue: end the run with its error.
writing.catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
try {
  await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
} finally {
  closed = true;
  wakeTakers = wake(wakeTakers);
}
await writing;
const durationMs = performance.now() - started;
sourceClient.destroy();
destinationClient.destroy();
process.stdout.write(`${JSON.stringify({ scanned, written, batches, unprocessedRetries, durationMs })}\n`);
