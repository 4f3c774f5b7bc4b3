import { Readable } from 'node:stream';

/**
 * Where an export's objects are kept: a local directory or an S3 bucket and prefix. Keys are relative
 * to the storage's root and use '/' (`AWSDynamoDB/<id>/data/x.json.gz`), whatever the backend.
 *
 * Neither backend can make a set of objects appear at once, so the export layout provides that:
 * manifest-summary.json is written last, and a folder without it is an export that did not complete.
 */
export interface ExportStorage {
  /** The root as a user would type it: the directory, or s3://bucket/prefix. */
  readonly root: string;
  /** The bucket and key prefix of an S3 storage (for manifest-summary.json); undefined for a directory. */
  readonly s3: { bucket: string; prefix: string } | undefined;
  /**
   * The key as the manifests record it (`dataFileS3Key`, `manifestFilesS3Key`): in S3 the full key,
   * prefix included, as AWS writes it; in a directory the path relative to it.
   */
  objectKey(key: string): string;
  /** Where the object is, for messages: a file path, or s3://bucket/key. */
  describe(key: string): string;
  /**
   * Stores the object from `body`, replacing any earlier one; resolves once it is durable under
   * `key`. Rejects when `body` errors or `signal` aborts; then no object appears under `key` in a
   * directory (it was written under a temporary name), and in S3 an unfinished multipart upload is
   * aborted. Consumes `body` at the pace it can store it (back-pressure).
   */
  write(key: string, body: Readable, signal?: AbortSignal): Promise<void>;
  /** Streams the object, or resolves undefined when there is no such object. */
  read(key: string, signal?: AbortSignal): Promise<Readable | undefined>;
  /** The whole object as UTF-8 text (for manifests), or undefined when there is no such object. */
  readText(key: string): Promise<string | undefined>;
  exists(key: string): Promise<boolean>;
  /** The names of the folders directly under `key`, sorted; none when `key` does not exist. */
  listFolders(key: string): Promise<string[]>;
  /**
   * Removes these objects; objects that do not exist are not an error. In a directory, folders left
   * empty under the root are removed too, so an aborted export leaves nothing behind.
   */
  delete(keys: readonly string[]): Promise<void>;
  /** Releases connections; the storage is not used afterwards. */
  close(): void;
}

/** Joins key parts with '/', skipping empty ones (the root is ''). */
export function joinKey(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** The last part of a key ('' for the root). */
export function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** Stores a small text object (a manifest). */
export function writeText(storage: ExportStorage, key: string, text: string): Promise<void> {
  return storage.write(key, Readable.from([Buffer.from(text, 'utf8')]));
}
