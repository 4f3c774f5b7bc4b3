import type { RawOptions } from '../../src/options.js';
import { type VerifyOptions, validateVerifyOptions } from '../../src/verify-options.js';
import type { LocalAccount } from './local-accounts.js';

/**
 * VerifyOptions for an in-process verify between two local accounts, built through the same
 * validation as the command line; `flags` takes camelCase flag values as commander gives them.
 */
export function localVerifyOptions(
  source: { account: LocalAccount; table: string },
  target: { account: LocalAccount; table: string },
  flags: RawOptions = {},
): VerifyOptions {
  const options = validateVerifyOptions({
    source: source.table,
    target: target.table,
    sourceRegion: source.account.region,
    targetRegion: target.account.region,
    sourceEndpointUrl: source.account.endpoint,
    targetEndpointUrl: target.account.endpoint,
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
