import type { SideConfig } from '../../stores/open.js';
import type { StoreEnd } from '../../stores/types.js';

/** A side as a summary names it: the table that was opened, or else what was asked for. */
export function sideSummary(
  end: Pick<StoreEnd, 'identity'> | undefined,
  config: Pick<SideConfig, 'table' | 'region'>,
): { table: string; region: string | null; endpoint: string | null } {
  return {
    table: end?.identity.table ?? config.table,
    region: end?.identity.region ?? config.region ?? null,
    endpoint: end?.identity.endpoint ?? null,
  };
}
