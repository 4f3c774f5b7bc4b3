import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { formatExportLocation, parseExportLocation } from '../../src/stores/export-dir/export-location.js';

describe('parseExportLocation', () => {
  it('reads a local path as it is', () => {
    expect(parseExportLocation('./exports', 'out')).toEqual({ kind: 'local', path: './exports' });
    expect(parseExportLocation('/tmp/x', 'from')).toEqual({ kind: 'local', path: '/tmp/x' });
    // A colon is not a scheme unless followed by '//'.
    expect(parseExportLocation('c:/data', 'out')).toEqual({ kind: 'local', path: 'c:/data' });
  });

  it('reads s3://bucket/prefix, trimming slashes at the end', () => {
    expect(parseExportLocation('s3://my-exports/team/orders', 'out')).toEqual({
      kind: 's3',
      bucket: 'my-exports',
      prefix: 'team/orders',
    });
    expect(parseExportLocation('s3://my-exports/team/', 'from')).toEqual({
      kind: 's3',
      bucket: 'my-exports',
      prefix: 'team',
    });
    expect(parseExportLocation('S3://my.exports', 'from')).toEqual({
      kind: 's3',
      bucket: 'my.exports',
      prefix: '',
    });
    expect(parseExportLocation('s3://b12/', 'out')).toEqual({ kind: 's3', bucket: 'b12', prefix: '' });
  });

  const malformed: [string, RegExp][] = [
    ['s3://', /names no bucket/],
    ['s3:///prefix', /names no bucket/],
    ['s3://My_Bucket/x', /not a valid S3 bucket name/],
    ['s3://ab/x', /not a valid S3 bucket name/],
    ['s3://-bucket/x', /not a valid S3 bucket name/],
    ['s3://bucket-/x', /not a valid S3 bucket name/],
    ['s3://my..bucket/x', /not a valid S3 bucket name/],
    [`s3://${'a'.repeat(64)}/x`, /not a valid S3 bucket name/],
    ['s3://bucket//x', /empty folder name/],
    ['s3://bucket/a//b', /empty folder name/],
    ['s3://bucket/a\nb', /control character/],
    ['gs://bucket/x', /gs:\/\/ locations are not supported/],
    ['https://bucket.s3.amazonaws.com/x', /https:\/\/ locations are not supported/],
    ['   ', /is empty/],
  ];
  for (const [value, message] of malformed) {
    it(`refuses ${JSON.stringify(value)} with a typed error naming the flag`, () => {
      let caught: unknown;
      try {
        parseExportLocation(value, 'out');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidOptionError);
      expect((caught as InvalidOptionError).message).toMatch(message);
      expect((caught as InvalidOptionError).message).toContain('--out');
      expect((caught as InvalidOptionError).exitCode).toBe(2);
    });
  }

  it('formats a location as a user would type it', () => {
    expect(formatExportLocation({ kind: 's3', bucket: 'b12', prefix: 'a/b' })).toBe('s3://b12/a/b');
    expect(formatExportLocation({ kind: 's3', bucket: 'b12', prefix: '' })).toBe('s3://b12');
    expect(formatExportLocation({ kind: 'local', path: 'out' })).toBe('out');
  });
});
