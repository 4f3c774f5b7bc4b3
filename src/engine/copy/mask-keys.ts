/**
 * The masks' keys, derived from the one secret: a sub-key per use (HKDF-SHA-256), and the secret's
 * fingerprint. Apart from the masker so that a run can fingerprint a secret (for its record) without
 * loading the fake-data library.
 */
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

const HKDF_SALT = 'ddbcopy/mask/v1';
const FINGERPRINT_LABEL = 'ddbcopy/mask/secret-fingerprint/v1';

/** The key for one use of the secret ('hash', 'fake', 'fingerprint'): unlinkable to the others. */
export function subKey(secret: string, use: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, use, 32)));
}

/**
 * A short one-way fingerprint of the secret (16 hex characters), safe to store in a checkpoint so a
 * resume can refuse a different secret. It cannot give the secret back, but like any fingerprint it
 * lets a guess be checked: the secret must be long and random.
 */
export function secretFingerprint(secret: string): string {
  return createHmac('sha256', subKey(secret, 'fingerprint'))
    .update(FINGERPRINT_LABEL)
    .digest('hex')
    .slice(0, 16);
}
