/**
 * Row 9's bare stream client on the raw AWS SDK v3, the follow's counterpart of loader.mjs. Run as a
 * child process; settings as JSON in BENCH_ARGS: `{ mode, streamArn, records, source: {account...},
 * target: {account..., table}, concurrency }`. It reads the stream's one shard (DynamoDB Local has one
 * per stream) from TRIM_HORIZON with GetRecords (Limit 1000, one call at a time) until it has read
 * `records` records or meets an empty page.
 *
 * - `mode: 'read'` only reads: DynamoDB Local's stream read rate, and its read path warmed up.
 * - `mode: 'follow'` also writes: each page is cut into BatchWriteItems of 25 (INSERT/MODIFY put the
 *   new image, REMOVE deletes the keys) that `concurrency` writers drain from a queue of up to
 *   QUEUE_BATCHES, so reading runs ahead and the writers never wait for a page boundary. It keeps no
 *   order between batches and no checkpoint: a ceiling for a client that applies the stream, correct
 *   only when every key changes once (as the bench's changes do), not a follower to use.
 *
 * Prints `{ records, written, durationMs, pages, readMsAverage }` on stdout.
 */
import http from 'node:http';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';

/** GetRecords returns at most 1000 records per call (API Reference, GetRecords). */
const PAGE_RECORDS = 1000;
/** BatchWriteItem takes at most 25 requests (API Reference, BatchWriteItem). */
const BATCH_ITEMS = 25;
/** Batches read ahead of the writers: two pages. */
const QUEUE_BATCHES = 80;

const args = JSON.parse(process.env.BENCH_ARGS ?? '{}');
const { mode, streamArn, records: expected, source, target, concurrency = 16 } = args;

const config = (side) => ({
  region: side.region,
  endpoint: side.endpoint,
  credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
  maxAttempts: 10,
  requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: concurrency + 2 }) },
});
const streams = new DynamoDBStreamsClient(config(source));
const writer = mode === 'follow' ? new DynamoDBClient(config(target)) : undefined;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const queue = [];
let reading = true;
let read = 0;
let written = 0;
let pages = 0;
let readMs = 0;

async function readShard() {
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shard = described.StreamDescription?.Shards?.[0];
  if (!shard) throw new Error(`the stream ${streamArn} has no shard`);
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  try {
    while (iterator && read < expected) {
      const t = performance.now();
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: PAGE_RECORDS }),
      );
      readMs += performance.now() - t;
      pages++;
      iterator = page.NextShardIterator;
      const records = page.Records ?? [];
      if (records.length === 0) break;
      read += records.length;
      if (!writer) continue;
      for (let i = 0; i < records.length; i += BATCH_ITEMS) {
        queue.push(
          records
            .slice(i, i + BATCH_ITEMS)
            .map(({ eventName, dynamodb }) =>
              eventName === 'REMOVE'
                ? { DeleteRequest: { Key: dynamodb.Keys } }
                : { PutRequest: { Item: dynamodb.NewImage } },
            ),
        );
      }
      while (queue.length > QUEUE_BATCHES) await sleep(2);
    }
  } finally {
    reading = false;
  }
}

async function writeBatches() {
  for (;;) {
    let requests = queue.shift();
    if (!requests) {
      if (!reading) return;
      await sleep(2);
      continue;
    }
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const out = await writer.send(
        new BatchWriteItemCommand({ RequestItems: { [target.table]: requests } }),
      );
      const left = out.UnprocessedItems?.[target.table] ?? [];
      written += requests.length - left.length;
      requests = left;
    }
  }
}

const started = performance.now();
await Promise.all([readShard(), ...(writer ? Array.from({ length: concurrency }, writeBatches) : [])]);
const durationMs = performance.now() - started;
streams.destroy();
writer?.destroy();
process.stdout.write(
  `${JSON.stringify({ records: read, written, durationMs, pages, readMsAverage: readMs / Math.max(1, pages) })}\n`,
);
