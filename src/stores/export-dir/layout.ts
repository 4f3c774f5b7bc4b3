/**
 * The layout of DynamoDB's "Export to S3" in DYNAMODB_JSON, as AWS documents it, so files we write
 * and files AWS writes are interchangeable. DIR is a local directory or s3://bucket/prefix:
 *
 *   DIR/AWSDynamoDB/<exportId>/_started                written first (empty), as AWS does
 *   DIR/AWSDynamoDB/<exportId>/manifest-summary.json   one JSON object about the export; written last
 *   DIR/AWSDynamoDB/<exportId>/manifest-files.json     one JSON line per data file
 *   DIR/AWSDynamoDB/<exportId>/data/<name>.json.gz     gzip; one {"Item": {...}} per line
 *   DIR/AWSDynamoDB/<exportId>/ddbcopy-table.json      ours: the source TableSnapshot, for import
 */
export const EXPORTS_FOLDER = 'AWSDynamoDB';
export const STARTED_FILE = '_started';
export const SUMMARY_FILE = 'manifest-summary.json';
export const FILES_MANIFEST = 'manifest-files.json';
export const TABLE_FILE = 'ddbcopy-table.json';
export const DATA_FOLDER = 'data';

/** One line of manifest-files.json. */
export interface ManifestFileEntry {
  itemCount: number;
  /** Base64 of the MD5 of the .json.gz file's bytes. */
  md5Checksum: string;
  /** Hex of the same MD5 (S3's ETag of a single-part upload). */
  etag: string;
  /** The file's S3 key: `<prefix>/AWSDynamoDB/<exportId>/data/<name>.json.gz`. */
  dataFileS3Key: string;
}

/** manifest-summary.json: the fields AWS writes (version 2020-06-30). */
export interface ManifestSummary {
  version: string;
  exportArn: string;
  startTime: string;
  endTime: string;
  tableArn: string;
  tableId: string;
  exportTime: string;
  s3Bucket: string | null;
  s3Prefix: string | null;
  s3SseAlgorithm: string;
  s3SseKmsKeyId: string | null;
  manifestFilesS3Key: string;
  billedSizeBytes: number;
  itemCount: number;
  outputFormat: string;
}
