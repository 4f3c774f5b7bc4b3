import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { CopyOptions, RawOptions } from '../../src/options.js';
import { validateCopyOptions } from '../../src/options.js';
import type { LocalAccount } from './local-accounts.js';

/**
 * CopyOptions for an in-process copy between two local accounts, built through the same validation
 * as the command line; `flags` takes camelCase flag values as commander gives them.
 */
export function localCopyOptions(
  source: { account: LocalAccount; table: string },
  target: { account: LocalAccount; table: string },
  flags: RawOptions = {},
): CopyOptions {
  const options = validateCopyOptions({
    source: source.table,
    target: target.table,
    sourceRegion: source.account.region,
    targetRegion: target.account.region,
    sourceEndpointUrl: source.account.endpoint,
    targetEndpointUrl: target.account.endpoint,
    // Each copy its own record, outside the repository.
    checkpoint: path.join(os.tmpdir(), `ddbcopy-test-${randomUUID()}.json`),
    ...flags,
  });
  return {
    ...options,
    source: { ...options.source, credentials: credentialsOf(source.account) },
    target: { ...options.target, credentials: credentialsOf(target.account) },
  };
}

function credentialsOf(account: LocalAccount): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
}
