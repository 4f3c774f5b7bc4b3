import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import {
  DEFAULT_SAMPLES,
  VERIFY_OPTION_DECLARATIONS,
  validateVerifyOptions,
  verifyOptionsAfterCopy,
} from '../../src/runs/verify/options.js';

describe('validateVerifyOptions', () => {
  it('gives defaults, frozen', () => {
    const options = validateVerifyOptions({ source: 'a', target: 'b' });
    expect(options).toMatchObject({
      source: { table: 'a' },
      target: { table: 'b' },
      segments: undefined,
      samples: DEFAULT_SAMPLES,
      readRate: undefined,
      consistentRead: false,
    });
    expect(options.skip.size).toBe(0);
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('parses the side options, segments, samples, rate and skip like copy does', () => {
    const options = validateVerifyOptions({
      source: 'a',
      target: 'b',
      sourceProfile: 'prod',
      targetEndpointUrl: 'http://localhost:8000',
      segments: '12',
      samples: '0',
      readRate: '50%',
      consistentRead: true,
      skip: 'ttl,tags',
    });
    expect(options.source.profile).toBe('prod');
    expect(options.target.endpointUrl).toBe('http://localhost:8000');
    expect(options.segments).toBe(12);
    expect(options.samples).toBe(0);
    expect(options.readRate).toEqual({ kind: 'percent', percent: 50 });
    expect(options.consistentRead).toBe(true);
    expect([...options.skip]).toEqual(['ttl', 'tags']);
  });

  it.each([
    [{ target: 'b' }, /--source is required/],
    [{ source: 'a', target: 'b', samples: 'many' }, /--samples must be/],
    [{ source: 'a', target: 'b', samples: '-1' }, /--samples must be/],
    [{ source: 'a', target: 'b', segments: '0' }, /--segments must be/],
    [{ source: 'a', target: 'b', readRate: 'fast' }, /--read-rate must be/],
    [{ source: 'a', target: 'b', skip: 'colour' }, /unknown setting 'colour'/],
  ])('rejects %j', (raw, message) => {
    expect(() => validateVerifyOptions(raw)).toThrow(InvalidOptionError);
    expect(() => validateVerifyOptions(raw)).toThrow(message);
  });

  it('declares every flag once', () => {
    const flags = VERIFY_OPTION_DECLARATIONS.map((d) => d.flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(flags).toEqual(
      expect.arrayContaining(['source', 'target', 'samples', 'segments', 'read-rate', 'skip', 'json']),
    );
  });
});

describe('verifyOptionsAfterCopy', () => {
  it("checks the same sides with the copy's segments, rate and skipped settings, strongly consistent", () => {
    const copy = validateCopyOptions({
      source: 'a',
      target: 'b',
      targetProfile: 'staging',
      segments: '6',
      readRate: '100',
      skip: 'pitr',
    });
    expect(verifyOptionsAfterCopy(copy)).toEqual({
      source: copy.source,
      target: copy.target,
      segments: 6,
      samples: DEFAULT_SAMPLES,
      readRate: { kind: 'units', units: 100 },
      consistentRead: true,
      skip: new Set(['pitr']),
    });
  });
});
