import type { SigningIdentity } from '../types.js';
import type { ExportLocation } from './export-location.js';
import type { ExportStorage } from './export-storage.js';
import { LocalStorage } from './local-storage.js';
import type { S3Settings } from './s3-client.js';

/**
 * The storage behind an export location. S3 is reached with the given side's own credentials and
 * region (the source side for an export, the target side for an import), never a second identity.
 * The S3 client is loaded only for an s3:// location: it adds ~8 MB to every process that loads it.
 */
export async function openExportStorage(
  location: ExportLocation,
  conn: SigningIdentity,
  s3: S3Settings = {},
): Promise<ExportStorage> {
  if (location.kind === 'local') return new LocalStorage(location.path);
  const [{ s3ClientFor }, { S3Storage }] = await Promise.all([
    import('./s3-client.js'),
    import('./s3-storage.js'),
  ]);
  return new S3Storage({
    client: s3ClientFor(conn, s3),
    bucket: location.bucket,
    prefix: location.prefix,
    side: conn.side,
    endpoint: s3.endpoint,
  });
}
