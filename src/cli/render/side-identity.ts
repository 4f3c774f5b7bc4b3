import { describeCredentials, type SideIdentity } from '../../index.js';
import { formatBytes, formatCount } from './format.js';

/** The account as the user reads it: the id, or why there is none. */
export function accountText(who: SideIdentity): string {
  if (who.account) return `account ${who.account}`;
  if (who.accountUnknown?.reason === 'local-endpoint') return 'no account (local endpoint)';
  return `account unknown (${who.accountUnknown?.message ?? 'not asked'})`;
}

/** One side on one line: "'orders' in eu-west-1, account 123456789012, profile prod". */
export function sideLine(
  table: string,
  side: { region: string | null; endpoint: string | null },
  who: SideIdentity | undefined,
): string {
  const region = who?.region ?? side.region ?? 'the default region';
  const endpoint = who?.endpoint ?? side.endpoint;
  const where = `'${table}' in ${region}${endpoint ? ` at ${endpoint}` : ''}`;
  return who ? `${where}, ${accountText(who)}, ${describeCredentials(who)}` : where;
}

/** What a table holds, as DescribeTable estimates it: "~1,234 items, 1.21 MB". */
export function holdsText(size: { items: number; bytes: number }): string {
  return `~${formatCount(size.items)} items, ${formatBytes(size.bytes)}`;
}

/**
 * The lines a deletion prompt shows about the side the table is on: the account (and the caller STS
 * named), how the credentials are found, and the region.
 */
export function identityLines(who: SideIdentity, indent = '  '): string[] {
  return [
    `${indent}account   ${who.account ? `${who.account}${who.arn ? ` (${who.arn})` : ''}` : accountText(who)}`,
    `${indent}as        ${describeCredentials(who)}`,
    `${indent}region    ${who.region}${who.endpoint ? ` at ${who.endpoint}` : ''}`,
  ];
}
