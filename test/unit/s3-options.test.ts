import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { s3Settings } from '../../src/runs/shared/s3-options.js';

describe('s3Settings (--s3-endpoint, --s3-region)', () => {
  it('passes both through for an s3:// location, and nothing when absent', () => {
    expect(
      s3Settings({ s3Endpoint: 'http://127.0.0.1:9000', s3Region: 'eu-west-1' }, 's3://b12/x', 'out'),
    ).toEqual({ endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1' });
    expect(s3Settings({}, 's3://b12/x', 'from')).toEqual({});
    expect(s3Settings({}, './dir', 'from')).toEqual({});
    // A local server may use any region name.
    expect(s3Settings({ s3Endpoint: 'http://localhost:9000', s3Region: 'local' }, 's3://b12', 'out')).toEqual(
      {
        endpoint: 'http://localhost:9000',
        region: 'local',
      },
    );
  });

  it('refuses them with a local directory, a non-http endpoint, or a malformed region', () => {
    expect(() => s3Settings({ s3Endpoint: 'http://localhost:9000' }, './dir', 'from')).toThrow(
      /--s3-endpoint applies to s3:\/\/ locations, and --from is a directory/,
    );
    expect(() => s3Settings({ s3Region: 'eu-west-1' }, './dir', 'out')).toThrow(/--s3-region applies/);
    expect(() => s3Settings({ s3Endpoint: 'ftp://host' }, 's3://b12', 'out')).toThrow(InvalidOptionError);
    expect(() => s3Settings({ s3Region: 'Europe' }, 's3://b12', 'out')).toThrow(/not an AWS region/);
  });
});
