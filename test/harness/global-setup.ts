/**
 * Starts one DynamoDB Local for the whole test run; tests isolate themselves with their own
 * accounts (`newAccount`) and reach it through `inject('ddbEndpoint')`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDynamoDbLocal({
    cacheDir: path.join(repoRoot, '.cache', 'dynamodb-local'),
    // Tests load items near the 400 KB limit in parallel workers; the default 1 GB is tight for that.
    heapMb: 2048,
    log: (message) => console.log(`[dynamodb-local] ${message}`),
  });
  project.provide('ddbEndpoint', server.endpoint);
  return () => server.stop();
}
