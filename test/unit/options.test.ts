import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import {
  COPY_OPTION_DECLARATIONS,
  parseRate,
  parseSkip,
  type RawOptions,
  validateCopyOptions,
} from '../../src/runs/copy/options.js';

const base: RawOptions = { source: 'orders', target: 'orders-copy' };

function rejects(raw: RawOptions, pattern: RegExp): InvalidOptionError {
  let caught: unknown;
  try {
    validateCopyOptions(raw);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect((caught as InvalidOptionError).message).toMatch(pattern);
  expect((caught as InvalidOptionError).exitCode).toBe(2);
  return caught as InvalidOptionError;
}

describe('validateCopyOptions', () => {
  it('gives frozen defaults', () => {
    const options = validateCopyOptions(base);
    expect(options).toMatchObject({
      source: { table: 'orders' },
      target: { table: 'orders-copy' },
      mode: 'recreate',
      yes: false,
      dryRun: false,
      segments: undefined,
      concurrency: undefined,
      readRate: undefined,
      writeRate: undefined,
      consistentRead: false,
      billingMode: undefined,
      readCapacity: undefined,
      writeCapacity: undefined,
      sseKmsKeyId: undefined,
      resume: false,
      restart: false,
    });
    expect(options.skip.size).toBe(0);
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.source)).toBe(true);
    expect(path.isAbsolute(options.checkpoint)).toBe(true);
  });

  it('parses every value it is given', () => {
    const options = validateCopyOptions({
      ...base,
      sourceProfile: 'prod',
      sourceRegion: 'eu-west-1',
      sourceRoleArn: 'arn:aws:iam::123456789012:role/reader',
      sourceExternalId: 'ext-1',
      targetEndpointUrl: 'http://localhost:8000',
      targetRoleArn: 'arn:aws-cn:iam::210987654321:role/path/writer',
      schemaOnly: true,
      yes: true,
      dryRun: true,
      segments: '12',
      concurrency: '32',
      readRate: '50%',
      writeRate: '1000',
      consistentRead: true,
      billingMode: 'on-demand',
      sseKmsKeyId: 'alias/mine',
      skip: 'TTL, tags,,pitr',
      checkpoint: 'run.json',
    });
    expect(options).toMatchObject({
      source: {
        table: 'orders',
        profile: 'prod',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::123456789012:role/reader',
        externalId: 'ext-1',
      },
      target: {
        endpointUrl: 'http://localhost:8000',
        roleArn: 'arn:aws-cn:iam::210987654321:role/path/writer',
      },
      mode: 'schema-only',
      yes: true,
      dryRun: true,
      segments: 12,
      concurrency: 32,
      readRate: { kind: 'percent', percent: 50 },
      writeRate: { kind: 'units', units: 1000 },
      consistentRead: true,
      billingMode: 'PAY_PER_REQUEST',
      sseKmsKeyId: 'alias/mine',
      checkpoint: path.resolve('run.json'),
    });
    expect([...options.skip].sort()).toEqual(['pitr', 'tags', 'ttl']);
  });

  it('accepts provisioned billing with capacities', () => {
    const options = validateCopyOptions({
      ...base,
      billingMode: 'provisioned',
      readCapacity: '10',
      writeCapacity: '20',
    });
    expect(options).toMatchObject({ billingMode: 'PROVISIONED', readCapacity: 10, writeCapacity: 20 });
  });

  it.each<[string, RawOptions, RegExp]>([
    ['no source', { target: 'b' }, /--source is required/],
    ['no target', { source: 'a' }, /--target is required/],
    ['blank source', { source: '  ', target: 'b' }, /--source is required/],
    ['segments 0', { ...base, segments: '0' }, /--segments must be/],
    ['segments abc', { ...base, segments: 'abc' }, /--segments must be/],
    ['segments 1.5', { ...base, segments: '1.5' }, /--segments must be/],
    ['segments -3', { ...base, segments: '-3' }, /--segments must be/],
    ['segments too many', { ...base, segments: '1000001' }, /--segments must be/],
    ['concurrency 0', { ...base, concurrency: '0' }, /--concurrency must be/],
    ['concurrency 2000', { ...base, concurrency: '2000' }, /--concurrency must be/],
    ['read-capacity 0', { ...base, readCapacity: '0' }, /--read-capacity must be/],
    ['write-capacity x', { ...base, writeCapacity: 'x' }, /--write-capacity must be/],
    ['billing-mode free', { ...base, billingMode: 'free' }, /--billing-mode must be/],
    ['read-rate abc', { ...base, readRate: 'abc' }, /--read-rate must be/],
    ['write-rate 0', { ...base, writeRate: '0' }, /--write-rate must be/],
    ['skip colour', { ...base, skip: 'ttl,colour' }, /--skip: unknown setting 'colour'/],
    ['ftp endpoint', { ...base, sourceEndpointUrl: 'ftp://host' }, /--source-endpoint-url 'ftp:\/\/host'/],
    ['endpoint not a URL', { ...base, targetEndpointUrl: 'localhost:8000' }, /--target-endpoint-url/],
    ['endpoint text', { ...base, targetEndpointUrl: 'not a url' }, /--target-endpoint-url/],
    [
      'role ARN of a user',
      { ...base, sourceRoleArn: 'arn:aws:iam::123456789012:user/bob' },
      /--source-role-arn/,
    ],
    ['role ARN short account', { ...base, targetRoleArn: 'arn:aws:iam::1234:role/x' }, /--target-role-arn/],
    ['role ARN no name', { ...base, targetRoleArn: 'arn:aws:iam::123456789012:role/' }, /--target-role-arn/],
    ['role name only', { ...base, targetRoleArn: 'writer' }, /--target-role-arn/],
    [
      'data-only with schema-only',
      { ...base, dataOnly: true, schemaOnly: true },
      /--data-only and --schema-only/,
    ],
    ['data-only with billing-mode', { ...base, dataOnly: true, billingMode: 'on-demand' }, /--billing-mode/],
    ['data-only with read-capacity', { ...base, dataOnly: true, readCapacity: '5' }, /--data-only/],
    ['data-only with sse key', { ...base, dataOnly: true, sseKmsKeyId: 'k' }, /--sse-kms-key-id/],
    ['resume with restart', { ...base, resume: true, restart: true }, /--resume and --restart/],
    ['resume with schema-only', { ...base, resume: true, schemaOnly: true }, /--schema-only/],
  ])('rejects %s', (_name, raw, pattern) => {
    rejects(raw, pattern);
  });

  it('names the side of a bad side option', () => {
    expect(rejects({ ...base, targetRoleArn: 'nope' }, /--target-role-arn/).side).toBe('target');
    expect(rejects({ ...base, sourceEndpointUrl: 'nope' }, /--source-endpoint-url/).side).toBe('source');
  });

  it('accepts http and https endpoints', () => {
    expect(
      validateCopyOptions({ ...base, sourceEndpointUrl: 'https://dynamodb-fips.us-east-1.amazonaws.com' })
        .source,
    ).toMatchObject({ endpointUrl: 'https://dynamodb-fips.us-east-1.amazonaws.com' });
    expect(
      validateCopyOptions({ ...base, sourceEndpointUrl: 'http://127.0.0.1:8000/' }).source.endpointUrl,
    ).toBe('http://127.0.0.1:8000/');
  });

  it('gives each source/target pair its own stable default checkpoint', () => {
    const a = validateCopyOptions({ ...base, sourceProfile: 'prod', targetProfile: 'staging' }).checkpoint;
    const again = validateCopyOptions({
      ...base,
      sourceProfile: 'prod',
      targetProfile: 'staging',
    }).checkpoint;
    const otherTarget = validateCopyOptions({
      ...base,
      sourceProfile: 'prod',
      targetProfile: 'dev',
    }).checkpoint;
    const otherSource = validateCopyOptions({
      ...base,
      sourceProfile: 'test',
      targetProfile: 'staging',
    }).checkpoint;
    const swapped = validateCopyOptions({
      ...base,
      sourceProfile: 'staging',
      targetProfile: 'prod',
    }).checkpoint;
    expect(a).toBe(again);
    expect(new Set([a, otherTarget, otherSource, swapped]).size).toBe(4);
    expect(path.dirname(a)).toBe(path.resolve('.ddbcopy'));
    expect(path.basename(a)).toMatch(/^copy-orders-to-orders-copy-[0-9a-f]{10}\.json$/);
  });

  it('names the default checkpoint after the table of a table ARN', () => {
    const options = validateCopyOptions({
      source: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
      target: 'copy',
    });
    expect(path.basename(options.checkpoint)).toMatch(/^copy-orders-to-copy-[0-9a-f]{10}\.json$/);
  });

  it('declares every flag once', () => {
    const flags = COPY_OPTION_DECLARATIONS.map((d) => d.flag);
    expect(new Set(flags).size).toBe(flags.length);
    for (const side of ['source', 'target']) {
      for (const suffix of ['profile', 'region', 'role-arn', 'external-id', 'endpoint-url']) {
        expect(flags).toContain(`${side}-${suffix}`);
      }
    }
  });
});

describe('parseRate', () => {
  it.each<[string, unknown]>([
    ['500', { kind: 'units', units: 500 }],
    ['12.5', { kind: 'units', units: 12.5 }],
    [' 50% ', { kind: 'percent', percent: 50 }],
    ['100%', { kind: 'percent', percent: 100 }],
    ['0.5%', { kind: 'percent', percent: 0.5 }],
  ])('parses %s', (text, expected) => {
    expect(parseRate(text, 'read-rate')).toEqual(expected);
  });

  it.each(['0', '0%', '101%', 'abc', '-5', '50 %', '%', '', '1e3', '50%%'])('rejects %j', (text) => {
    expect(() => parseRate(text, 'write-rate')).toThrow(InvalidOptionError);
    expect(() => parseRate(text, 'write-rate')).toThrow(/--write-rate/);
  });

  it('is undefined when not given', () => {
    expect(parseRate(undefined, 'read-rate')).toBeUndefined();
  });
});

describe('parseSkip', () => {
  it('reads a comma list, case and spaces ignored', () => {
    expect([...parseSkip('Streams , deletion-protection')]).toEqual(['streams', 'deletion-protection']);
    expect(parseSkip(undefined).size).toBe(0);
    expect(parseSkip('').size).toBe(0);
  });

  it('rejects an unknown setting and lists the known ones', () => {
    expect(() => parseSkip('ttl,gsi')).toThrow(/unknown setting 'gsi'/);
    expect(() => parseSkip('gsi')).toThrow(
      expect.objectContaining({
        hint: expect.stringMatching(/ttl, pitr, tags, streams, deletion-protection/),
      }),
    );
  });
});
