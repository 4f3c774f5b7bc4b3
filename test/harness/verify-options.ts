import type { RawOptions } from '../../src/runs/copy/options.js';
import { type VerifyOptions, validateVerifyOptions } from '../../src/runs/verify/options.js';
import { type LocalSide, localSideFlags, withLocalCredentials } from './copy-options.js';

/**
 * VerifyOptions for an in-process verify between two local accounts, built through the same
 * validation as the command line; `flags` takes camelCase flag values as commander gives them.
 */
export function localVerifyOptions(
  source: LocalSide,
  target: LocalSide,
  flags: RawOptions = {},
): VerifyOptions {
  return withLocalCredentials(
    validateVerifyOptions({ ...localSideFlags(source, target), ...flags }),
    source,
    target,
  );
}
