import { InvalidOptionError } from '../../errors.js';

/** Where an export lives: a local directory, or a bucket and key prefix in S3. */
export type ExportLocation =
  | { kind: 'local'; path: string }
  | {
      kind: 's3';
      bucket: string;
      /** Key prefix without leading or trailing slashes; '' for the bucket's root. */
      prefix: string;
    };

/**
 * S3 bucket names (general purpose buckets): 3 to 63 lowercase letters, digits, dots and hyphens,
 * starting and ending with a letter or digit.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Any `scheme://`: a URL that is not s3:// is a mistake, never a local path. */
const OTHER_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Pure: reads `--out` / `--from` (the flag is named in errors). `s3://bucket/prefix` is S3; anything
 * without a `scheme://` is a local path. Throws InvalidOptionError for a malformed S3 URL or another
 * scheme, so a typo never turns into a local directory named `s3:`.
 */
export function parseExportLocation(value: string, flag: 'out' | 'from'): ExportLocation {
  const text = value.trim();
  if (text === '') {
    throw new InvalidOptionError(`--${flag} is empty.`, {
      hint: `Give a local directory or s3://bucket/prefix: --${flag} DIR.`,
    });
  }
  const scheme = OTHER_SCHEME.exec(text)?.[1];
  if (scheme === undefined) return { kind: 'local', path: text };
  if (scheme.toLowerCase() !== 's3') {
    throw new InvalidOptionError(`--${flag} '${value}': ${scheme}:// locations are not supported.`, {
      hint: `Use a local directory or s3://bucket/prefix.`,
    });
  }
  const rest = text.slice(scheme.length + 3);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (bucket === '') {
    throw new InvalidOptionError(`--${flag} '${value}' names no bucket.`, {
      hint: `Write it as s3://bucket/prefix, e.g. s3://my-exports/orders.`,
    });
  }
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new InvalidOptionError(`--${flag} '${value}': '${bucket}' is not a valid S3 bucket name.`, {
      hint: 'Bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.',
    });
  }
  // Empty segments ("a//b") are legal S3 keys but almost always a typo; they would also split the
  // export from the prefix a console user expects.
  if (prefix.startsWith('/') || prefix.includes('//')) {
    throw new InvalidOptionError(`--${flag} '${value}' has an empty folder name ('//') in its prefix.`, {
      hint: 'Write the prefix with single slashes, e.g. s3://my-exports/team/orders.',
    });
  }
  if ([...prefix].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    throw new InvalidOptionError(`--${flag} '${value}' has a control character in its prefix.`);
  }
  return { kind: 's3', bucket, prefix };
}

/** The location as a user would type it. */
export function formatExportLocation(location: ExportLocation): string {
  if (location.kind === 'local') return location.path;
  return location.prefix ? `s3://${location.bucket}/${location.prefix}` : `s3://${location.bucket}`;
}
