/**
 * Runs the npm peer `copy-dynamodb-table` (AWS SDK v2, DocumentClient, sequential Scan with Limit 25)
 * from one DynamoDB Local "account" to another, creating the destination from the source's schema as
 * it does by default with `create: true`. Run as a child process; settings as JSON in BENCH_ARGS;
 * prints `{ count, status, durationMs }` on stdout.
 */
import { createRequire } from 'node:module';

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
const require = createRequire(import.meta.url);
const { copy } = require('copy-dynamodb-table');

const { source, destination } = JSON.parse(process.env.BENCH_ARGS ?? '{}');
const config = (side) => ({
  accessKeyId: side.accessKeyId,
  secretAccessKey: side.secretAccessKey,
  region: side.region,
  endpoint: side.endpoint,
});

const started = performance.now();
const result = await new Promise((resolve, reject) => {
  copy(
    {
      source: { tableName: source.table, config: config(source) },
      destination: { tableName: destination.table, config: config(destination) },
      log: false,
      create: true,
    },
    (error, outcome) => (error ? reject(error) : resolve(outcome)),
  );
});
const durationMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ count: result.count, status: result.status, durationMs })}\n`);
