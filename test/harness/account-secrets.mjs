/**
 * The secret of every local "account" the tests made in this process, by access key id, as AWS knows
 * each key's secret: the fault proxy checks every request's signature with it by default. Plain
 * JavaScript, so the fault proxy can still be loaded transpiled on its own by the bench.
 */

/** access key id -> secret access key */
const SECRETS = new Map();

/** Remembers an account's secret (`newAccount` in local-accounts.ts calls it). */
export function rememberAccountSecret(accessKeyId, secretAccessKey) {
  SECRETS.set(accessKeyId, secretAccessKey);
}

/** The secret remembered for this access key id; undefined for a key no account was made with. */
export function localAccountSecret(accessKeyId) {
  return SECRETS.get(accessKeyId);
}
