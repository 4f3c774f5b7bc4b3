import type { SideIdentity } from '../../model/side-identity.js';
import type { SideConfig } from '../../stores/open.js';
import type { StoreEnd } from '../../stores/types.js';

/**
 * A side as a summary names it: the table that was opened, or else what was asked for; and the
 * account its credentials belong to, once known (STS GetCallerIdentity; absent on a local endpoint).
 */
export function sideSummary(
  end: Pick<StoreEnd, 'identity'> | undefined,
  config: Pick<SideConfig, 'table' | 'region'>,
  who?: SideIdentity,
): { table: string; region: string | null; endpoint: string | null; account?: string } {
  return {
    table: end?.identity.table ?? config.table,
    region: end?.identity.region ?? config.region ?? null,
    endpoint: end?.identity.endpoint ?? null,
    ...(who?.account ? { account: who.account } : {}),
  };
}
