/** The S3 flags of `export` and `import` (`--s3-endpoint`, `--s3-region`), declared and checked once. */
import { InvalidOptionError, type Side } from '../../errors.js';
import type { S3Settings } from '../../stores/open.js';
import { type OptionDeclaration, type RawOptions, stringValue } from '../copy/options.js';

/** The S3 flags of `export` and `import`; the credentials are the side's own (no S3 profile flag). */
export function s3Declarations(side: Side): OptionDeclaration[] {
  return [
    {
      flag: 's3-endpoint',
      value: 'URL',
      help: 'S3-compatible endpoint for an s3:// location (MinIO, a local test server), path-style',
    },
    {
      flag: 's3-region',
      value: 'REGION',
      help: "region of the s3:// location's bucket",
      defaultHelp: `the ${side} side's region`,
    },
  ];
}

/** --s3-endpoint and --s3-region, checked; they only make sense with an s3:// location. */
export function s3Settings(raw: RawOptions, location: string, flag: 'out' | 'from'): S3Settings {
  const endpoint = stringValue(raw.s3Endpoint);
  const region = stringValue(raw.s3Region);
  if ((endpoint || region) && !/^s3:\/\//i.test(location)) {
    throw new InvalidOptionError(
      `${endpoint ? '--s3-endpoint' : '--s3-region'} applies to s3:// locations, and --${flag} is a directory.`,
      { hint: `Drop it, or give --${flag} s3://bucket/prefix.` },
    );
  }
  if (endpoint && (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol))) {
    throw new InvalidOptionError(`--s3-endpoint '${endpoint}' is not an http(s) URL.`, {
      hint: 'For a local S3-compatible server: --s3-endpoint http://localhost:9000',
    });
  }
  if (region && !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(region) && !endpoint) {
    throw new InvalidOptionError(`--s3-region '${region}' is not an AWS region.`, {
      hint: 'A region looks like eu-west-1.',
    });
  }
  return { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
}
