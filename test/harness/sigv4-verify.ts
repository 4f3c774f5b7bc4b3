/**
 * SigV4 checks for the tests: the check itself lives in `sigv4-check.mjs` (plain JavaScript, so the
 * bench stub uses the same one; see there for the steps, and why it is not the SDK's signer); this
 * module re-exports it and adds what only the tests need: secrets looked up from local accounts and
 * the fake STS's sessions. Proven against AWS's published test-suite vectors in
 * `test/unit/wire-signing.test.ts`.
 */

import type { CredentialRegistry } from './fake-sts.js';
import type { LocalAccount } from './local-accounts.js';
import type { SecretLookup } from './sigv4-check.mjs';

export type { ReceivedRequest, SecretLookup, SignatureVerdict } from './sigv4-check.mjs';
export { SIGNATURE_MISMATCH_MESSAGE, sha256Hex, sigV4Signature, verifySigV4 } from './sigv4-check.mjs';

/** Every key the accounts and the registry's sessions sign with. */
export function secretsOf(accounts: readonly LocalAccount[], registry?: CredentialRegistry): SecretLookup {
  const secrets = new Map(accounts.map((account) => [account.accessKeyId, account.secretAccessKey]));
  return (accessKeyId) => secrets.get(accessKeyId) ?? registry?.secretOf(accessKeyId);
}
