import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import { runCopy } from '../../src/runs/copy/run-copy.js';
import { knownProfiles } from '../../src/stores/dynamodb/profiles.js';

function awsFiles(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-profiles-'));
  const config = path.join(dir, 'config');
  const credentials = path.join(dir, 'credentials');
  writeFileSync(
    config,
    '[default]\nregion = eu-west-1\n\n[profile prod]\nregion = eu-west-1\n\n[sso-session corp]\nsso_region = eu-west-1\n',
  );
  writeFileSync(credentials, '[staging]\naws_access_key_id = A\naws_secret_access_key = B\n');
  return { HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials };
}

describe('profiles', () => {
  it('lists the profiles of both files (config sections `profile x` and `default`; not sso-session)', () => {
    expect(knownProfiles(awsFiles())).toEqual(['default', 'prod', 'staging']);
    expect(knownProfiles({ HOME: '/nonexistent' })).toEqual([]);
  });

  it('an unknown profile is named, with the ones that exist: exit 2 before any request', async () => {
    const env = awsFiles();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const outcome = await runCopy(
        validateCopyOptions({
          source: 'a',
          target: 'b',
          sourceProfile: 'prd',
          targetProfile: 'staging',
          checkpoint: path.join(env.HOME!, 'run.json'),
        }),
      );
      expect(outcome.exitCode).toBe(2);
      expect(outcome.error?.message).toBe(
        "The source profile 'prd' does not exist in the shared AWS config or credentials file.",
      );
      expect(outcome.error?.hint).toMatch(/Profiles found: default, prod, staging/);
    } finally {
      process.env = saved;
    }
  });
});
