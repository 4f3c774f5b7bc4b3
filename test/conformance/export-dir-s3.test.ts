/**
 * The store contract against the export directory in S3 (S3Storage), served by the in-process S3
 * server of test/harness/s3-server.ts: each test writes under a prefix of its own.
 */
import { afterAll, beforeAll } from 'vitest';
import { RefreshableCredentials } from '../../src/stores/dynamodb/client.js';
import { openExportStorage } from '../../src/stores/export-dir/open-storage.js';
import { type LocalS3, startS3Server } from '../harness/s3-server.js';
import { exportDirFactories } from './export-dir-stores.js';
import { describeSinkContract, describeSourceContract } from './store-contract.js';

const KEYS = { accessKeyId: 'conformance', secretAccessKey: 'conformance-secret' };
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startS3Server();
  s3.allow(KEYS);
});
afterAll(async () => {
  await s3?.close();
});

const conn = {
  side: 'source' as const,
  region: 'us-east-1',
  credentials: new RefreshableCredentials(async () => KEYS),
};

const { source, sink } = exportDirFactories((location) =>
  openExportStorage({ kind: 's3', bucket: s3.bucket, prefix: `conformance/${location}` }, conn, {
    endpoint: s3.endpoint,
  }),
);
describeSourceContract('export directory in S3', source);
describeSinkContract('export directory in S3', sink);
