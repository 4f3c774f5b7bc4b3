/**
 * A real S3-compatible server (the npm package s3rver) started in this process on a free port, with
 * its objects in a temporary directory and one bucket. It checks SigV4 signatures: only access keys
 * registered with `allow` get in, so a test can show which side's credentials a request used.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

// s3rver is CommonJS without types; these are the parts of its API the harness uses.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: S3rverOptions) => S3rverInstance;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: S3rverAccount };

/** The keys s3rver knows out of the box; the inspecting client signs with them. */
const ADMIN = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  /** `http://127.0.0.1:PORT`, for --s3-endpoint. */
  endpoint: string;
  /** The bucket created at start. */
  bucket: string;
  /** A client for inspecting what was written, independent of the code under test. */
  client: S3Client;
  /** Lets requests signed with these keys in (a test "account" using the bucket). */
  allow(keys: { accessKeyId: string; secretAccessKey: string }): void;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'ddbcopy-test'): Promise<LocalS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: ADMIN,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    client,
    allow(keys) {
      DUMMY_ACCOUNT.createKeyPair(keys.accessKeyId, keys.secretAccessKey);
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
