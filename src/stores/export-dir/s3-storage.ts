import { addAbortSignal, type Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Side } from '../../errors.js';
import { AwsRequestError } from '../../errors.js';
import { formatExportLocation } from './export-location.js';
import { type ExportStorage, joinKey } from './export-storage.js';
import { isMissingObject, type S3Request, s3Failure } from './s3-errors.js';

/**
 * Bytes of one multipart part, the S3 minimum (5 MiB). With one part uploading at a time, an open
 * data file holds at most about two parts in memory, however large the file grows.
 */
const PART_BYTES = 5 * 1024 * 1024;
/** Keys per DeleteObjects request (the S3 limit). */
const DELETE_BATCH = 1000;

export interface S3StorageConfig {
  client: S3Client;
  bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket's root. */
  prefix: string;
  /** Whose credentials the client signs with, for error messages. */
  side: Side;
  /** The custom endpoint, for error messages. */
  endpoint: string | undefined;
}

/**
 * An export kept in S3 under `s3://bucket/prefix/`. S3 has no rename: objects are written at their
 * final keys, and completion is marked by manifest-summary.json, which the export writes last.
 * Uploads stream (multipart past one part); downloads stream from GetObject.
 */
export class S3Storage implements ExportStorage {
  readonly root: string;
  readonly s3: { bucket: string; prefix: string };

  constructor(private readonly config: S3StorageConfig) {
    this.s3 = { bucket: config.bucket, prefix: config.prefix };
    this.root = formatExportLocation({ kind: 's3', bucket: config.bucket, prefix: config.prefix });
  }

  objectKey(key: string): string {
    return joinKey(this.config.prefix, key);
  }

  describe(key: string): string {
    return `s3://${this.config.bucket}/${this.objectKey(key)}`;
  }

  async write(key: string, body: Readable, signal?: AbortSignal): Promise<void> {
    if (signal) addAbortSignal(signal, body);
    // Aborting goes through `body` (destroyed), never Upload.abort(): then done() settles only after
    // the request in flight has, and an unfinished multipart upload is aborted before it does.
    const upload = new Upload({
      client: this.config.client,
      params: { Bucket: this.config.bucket, Key: this.objectKey(key), Body: body },
      partSize: PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      // The body's own failure (an aborted export, a gzip error) is not an S3 error.
      if (body.errored && error === body.errored) throw error;
      throw s3Failure(error, this.request(this.objectKey(key), 'write'));
    }
  }

  async read(key: string, signal?: AbortSignal): Promise<Readable | undefined> {
    try {
      const response = await this.config.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }),
        signal ? { abortSignal: signal } : {},
      );
      // In Node the body is an http.IncomingMessage: a Readable.
      const stream = response.Body as Readable;
      return signal ? addAbortSignal(signal, stream) : stream;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw s3Failure(error, this.request(this.objectKey(key), 'read'));
    }
  }

  async readText(key: string): Promise<string | undefined> {
    const stream = await this.read(key);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (error) {
      throw s3Failure(error, this.request(this.objectKey(key), 'read'));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.config.client.send(
        new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }),
      );
      return true;
    } catch (error) {
      // A HEAD has no body: a missing bucket is a 404 too; listing tells the two apart afterwards.
      if (isMissingObject(error)) return false;
      throw s3Failure(error, this.request(this.objectKey(key), 'read'));
    }
  }

  async listFolders(key: string): Promise<string[]> {
    const prefix = this.objectKey(key) === '' ? '' : `${this.objectKey(key)}/`;
    const names: string[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.config.client.send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (error) {
        throw s3Failure(error, this.request(prefix, 'list'));
      }
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(prefix.length).replace(/\/$/, '');
        if (name) names.push(name);
      }
      token = page.NextContinuationToken;
    } while (token);
    return names.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let from = 0; from < keys.length; from += DELETE_BATCH) {
      const objects = keys.slice(from, from + DELETE_BATCH).map((key) => ({ Key: this.objectKey(key) }));
      let errors: { Key?: string; Code?: string; Message?: string }[] | undefined;
      try {
        ({ Errors: errors } = await this.config.client.send(
          new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: objects, Quiet: true } }),
        ));
      } catch (error) {
        throw s3Failure(error, this.request(objects[0]?.Key ?? '', 'delete'));
      }
      const first = errors?.[0];
      if (first) {
        throw new AwsRequestError(
          `Could not delete ${errors?.length} object(s) of the unfinished export, e.g. s3://${this.config.bucket}/${first.Key} (${first.Code}: ${first.Message}).`,
          {
            side: this.config.side,
            hint: `Delete them by hand; the ${this.config.side} side needs s3:DeleteObject to clean up after a failed export.`,
          },
        );
      }
    }
  }

  close(): void {
    this.config.client.destroy();
  }

  /** What a failed request was, for s3Failure: `fullKey` includes the prefix. */
  private request(fullKey: string, action: S3Request['action']): S3Request {
    return {
      side: this.config.side,
      bucket: this.config.bucket,
      key: fullKey,
      action,
      endpoint: this.config.endpoint,
    };
  }
}
