/**
 * The AWS CLI's habits (issue "the first hour", items 5 and 7): --profile, --region and --endpoint-url
 * for both sides at once (a side's flag wins), -y for --yes, and region names checked with a hint.
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_REGIONS, looksLikeRegion } from '../../src/model/regions.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { runMain } from '../harness/run-main.js';

const run = runMain;

describe('flags for both sides', () => {
  it('--profile, --region and --endpoint-url set both sides; a side flag wins', () => {
    const options = validateCopyOptions({
      source: 'a',
      target: 'b',
      profile: 'shared',
      region: 'eu-west-1',
      endpointUrl: 'http://localhost:8000',
      targetProfile: 'staging',
      targetRegion: 'us-east-2',
    });
    expect(options.source).toEqual({
      table: 'a',
      profile: 'shared',
      region: 'eu-west-1',
      endpointUrl: 'http://localhost:8000',
    });
    expect(options.target).toEqual({
      table: 'b',
      profile: 'staging',
      region: 'us-east-2',
      endpointUrl: 'http://localhost:8000',
    });
  });

  it('-y is --yes, and --profile/--region are flags of the command line', async () => {
    // iam-policy parses the same flags as copy and needs no credentials.
    const result = await run(['iam-policy', '--source', 'a', '--target', 'b', '--region', 'eu-west-1', '-y']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('arn:aws:dynamodb:eu-west-1:*:table/a');
    expect(result.stdout).toContain('arn:aws:dynamodb:eu-west-1:*:table/b');
  });
});

describe('region names', () => {
  it("'eu-west1' is not a region: did you mean eu-west-1? (exit 2)", async () => {
    expect(() => validateCopyOptions({ source: 'a', target: 'b', sourceRegion: 'eu-west1' })).toThrow(
      "'eu-west1' is not an AWS region; did you mean eu-west-1?",
    );
    const result = await run(['iam-policy', '--source', 'a', '--target', 'b', '--region', 'us-eats-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('did you mean us-east-1?');
  });

  it('every known region has the shape of one', () => {
    expect(KNOWN_REGIONS.filter((region) => !looksLikeRegion(region))).toEqual([]);
  });

  it('a region that looks like one is taken (new regions); with a custom endpoint any name is', () => {
    expect(validateCopyOptions({ source: 'a', target: 'b', region: 'xx-central-9' }).source.region).toBe(
      'xx-central-9',
    );
    const local = validateCopyOptions({
      source: 'a',
      target: 'b',
      region: 'ddblocal',
      endpointUrl: 'http://localhost:8000',
    });
    expect(local.target.region).toBe('ddblocal');
    expect(() => validateCopyOptions({ source: 'a', target: 'b', region: 'nowhere' })).toThrow(
      /'nowhere' is not an AWS region\./,
    );
  });
});
