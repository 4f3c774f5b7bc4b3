import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { SideConfig } from '../../src/model/side-config.js';
import type { CopyOptions, RawOptions } from '../../src/runs/copy/options.js';
import { validateCopyOptions } from '../../src/runs/copy/options.js';
import type { LocalAccount } from './local-accounts.js';

export interface LocalSide {
  account: LocalAccount;
  table: string;
}

/** The side flags of two local accounts, camelCase as commander gives them. */
export function localSideFlags(source: LocalSide, target: LocalSide): RawOptions {
  return {
    source: source.table,
    target: target.table,
    sourceRegion: source.account.region,
    targetRegion: target.account.region,
    sourceEndpointUrl: source.account.endpoint,
    targetEndpointUrl: target.account.endpoint,
  };
}

/** One side's config for an in-process run against a local account: its region, endpoint and keys. */
export function localSideConfig(
  account: LocalAccount,
  table: string,
  endpointUrl = account.endpoint,
): SideConfig {
  return {
    table,
    region: account.region,
    endpointUrl,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
  };
}

/** Validated options with each side given its account's static keys (no profile file needed). */
export function withLocalCredentials<
  T extends { source: Readonly<SideConfig>; target: Readonly<SideConfig> },
>(options: T, source: LocalSide, target: LocalSide): T {
  const keys = (account: LocalAccount) => ({
    accessKeyId: account.accessKeyId,
    secretAccessKey: account.secretAccessKey,
  });
  return {
    ...options,
    source: { ...options.source, credentials: keys(source.account) },
    target: { ...options.target, credentials: keys(target.account) },
  };
}

/**
 * CopyOptions for an in-process copy between two local accounts, built through the same validation
 * as the command line; `flags` takes camelCase flag values as commander gives them.
 */
export function localCopyOptions(source: LocalSide, target: LocalSide, flags: RawOptions = {}): CopyOptions {
  const options = validateCopyOptions({
    ...localSideFlags(source, target),
    // Each copy its own record, outside the repository.
    checkpoint: path.join(os.tmpdir(), `ddbcopy-test-${randomUUID()}.json`),
    ...flags,
  });
  return withLocalCredentials(options, source, target);
}
