/** Types of `account-secrets.mjs` (plain JavaScript, loadable by the bench's transpiled fault proxy). */

/** Remembers an account's secret (`newAccount` in local-accounts.ts calls it). */
export function rememberAccountSecret(accessKeyId: string, secretAccessKey: string): void;

/** The secret remembered for this access key id; undefined for a key no account was made with. */
export function localAccountSecret(accessKeyId: string): string | undefined;
