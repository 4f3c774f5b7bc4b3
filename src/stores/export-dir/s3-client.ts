import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { SigningIdentity } from '../types.js';

/** How to reach S3 for an s3:// export location; the credentials are always the side's own. */
export interface S3Settings {
  /** An S3-compatible endpoint (MinIO, a local test server), addressed path-style. Default: AWS S3. */
  readonly endpoint?: string;
  /** The bucket's region. Default: the side's region (S3 redirects to the bucket's own region anyway). */
  readonly region?: string;
}

/**
 * The S3 client of one side: that side's credential provider (profile, role, SSO: whatever its
 * DynamoDB client signs with, refreshed the same way), so an export writes with the source side's
 * identity and an import reads with the target side's.
 */
export function s3ClientFor(
  conn: Pick<SigningIdentity, 'region' | 'credentials'>,
  settings: S3Settings = {},
  maxSockets = 16,
): S3Client {
  const agentOptions = { keepAlive: true, maxSockets, keepAliveMsecs: 10_000 };
  return new S3Client({
    region: settings.region ?? conn.region,
    credentials: conn.credentials.provide,
    // Custom endpoints (MinIO, test servers) rarely resolve bucket subdomains: address path-style.
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    // A bucket in another region than the side's answers with a redirect; follow it.
    followRegionRedirects: true,
    // The SDK's default CRC checksums on every request are not understood by S3-compatible servers;
    // data files carry their own MD5 in the manifest, which import checks.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
    },
  });
}
