/**
 * DynamoDB Local's own write ceiling: a bare parallel BatchWriteItem loader on the raw AWS SDK v3
 * (keep-alive agent, N requests in flight, unprocessed items retried), writing the benchmark items
 * into an existing table. Run as a child process; its settings come as JSON in BENCH_ARGS, and it
 * prints `{ items, durationMs }` on stdout. `tables: [{ table, items }]` instead of `table` + `items`
 * loads several existing tables, one after the other, in the one process (row 7's seeding).
 */
import http from 'node:http';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemValue } from './items.mjs';

const args = JSON.parse(process.env.BENCH_ARGS ?? '{}');
const { endpoint, region, accessKeyId, secretAccessKey, table, items, itemBytes, concurrency } = args;

const client = new DynamoDBClient({
  region,
  endpoint,
  credentials: { accessKeyId, secretAccessKey },
  maxAttempts: 10,
  requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: concurrency }) },
});

let next = 0;
let written = 0;

async function worker(table, items) {
  for (;;) {
    const start = next;
    if (start >= items) return;
    next = Math.min(items, start + 25);
    let requests = [];
    for (let i = start; i < next; i++) requests.push({ PutRequest: { Item: itemValue(i, itemBytes) } });
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      const left = out.UnprocessedItems?.[table] ?? [];
      written += requests.length - left.length;
      requests = left;
    }
  }
}

const started = performance.now();
for (const load of args.tables ?? [{ table, items }]) {
  next = 0;
  await Promise.all(Array.from({ length: concurrency }, () => worker(load.table, load.items)));
}
const durationMs = performance.now() - started;
client.destroy();
process.stdout.write(`${JSON.stringify({ items: written, durationMs })}\n`);
