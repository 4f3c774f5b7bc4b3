/**
 * An export laid out exactly as AWS's ExportTableToPointInTime writes it (DYNAMODB_JSON, as in the AWS
 * documentation's examples), made by hand for import tests: a bucket prefix in the keys, checksum
 * files, `_started`, and optionally our own table-definition file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** An export as AWS writes it: a bucket prefix in the keys, checksum files, `_started`. */
export const EXPORT_ID = '01700000000000-a1b2c3d4';
export const AWS_ITEMS = [
  { Item: { pk: { S: 'a' }, sk: { N: '1' }, bin: { B: 'AQID' }, tags: { SS: ['x', 'y'] } } },
  {
    Item: { pk: { S: 'a' }, sk: { N: '2' }, nested: { M: { list: { L: [{ N: '1.50' }, { NULL: true }] } } } },
  },
  { Item: { pk: { S: 'b' }, sk: { N: '-3' }, ok: { BOOL: false }, bins: { BS: ['AA==', '/w=='] } } },
];
const SNAPSHOT = {
  table: {
    TableName: 'Products',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
  },
  timeToLive: 'unsupported',
  continuousBackups: 'unsupported',
  tags: 'unsupported',
};

export interface HandMade {
  root: string;
  folder: string;
  files: string[];
}

/** Writes the export; `lines` per data file (text before gzip), the manifest computed from the bytes. */
export function writeAwsExport(root: string, dataFiles: string[], withDefinition: boolean): HandMade {
  const folder = path.join(root, 'AWSDynamoDB', EXPORT_ID);
  mkdirSync(path.join(folder, 'data'), { recursive: true });
  writeFileSync(path.join(folder, '_started'), '');
  const manifest: string[] = [];
  const files: string[] = [];
  let total = 0;
  dataFiles.forEach((text, index) => {
    const file = `bafybeic${index}xyz.json.gz`;
    const bytes = gzipSync(text);
    writeFileSync(path.join(folder, 'data', file), bytes);
    const count = text.split('\n').filter((line) => line.trim() !== '').length;
    total += count;
    manifest.push(
      JSON.stringify({
        itemCount: count,
        md5Checksum: createHash('md5').update(bytes).digest('base64'),
        etag: createHash('md5').update(bytes).digest('hex'),
        dataFileS3Key: `exports/AWSDynamoDB/${EXPORT_ID}/data/${file}`,
      }),
    );
    files.push(path.join(folder, 'data', file));
  });
  writeFileSync(path.join(folder, 'manifest-files.json'), `${manifest.join('\n')}\n`);
  writeFileSync(path.join(folder, 'manifest-files.checksum'), 'ignored');
  writeFileSync(
    path.join(folder, 'manifest-summary.json'),
    JSON.stringify({
      version: '2020-06-30',
      exportArn: `arn:aws:dynamodb:us-east-1:123456789012:table/Products/export/${EXPORT_ID}`,
      startTime: '2020-11-04T07:28:34.028Z',
      endTime: '2020-11-04T07:33:43.897Z',
      tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Products',
      tableId: '12345a12-abcd-123a-ab12-1234abc12345',
      exportTime: '2020-11-04T07:28:34.028Z',
      s3Bucket: 'ddb-products-export',
      s3Prefix: 'exports',
      s3SseAlgorithm: 'AES256',
      s3SseKmsKeyId: null,
      manifestFilesS3Key: `exports/AWSDynamoDB/${EXPORT_ID}/manifest-files.json`,
      billedSizeBytes: 0,
      itemCount: total,
      outputFormat: 'DYNAMODB_JSON',
    }),
  );
  writeFileSync(path.join(folder, 'manifest-summary.checksum'), 'ignored');
  if (withDefinition) writeFileSync(path.join(folder, 'ddbcopy-table.json'), JSON.stringify(SNAPSHOT));
  return { root, folder, files };
}

/** One `{"Item": ...}` JSON line per item. */
export const lines = (items: unknown[]): string => items.map((item) => `${JSON.stringify(item)}\n`).join('');
