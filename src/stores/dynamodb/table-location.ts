import type { TableLocation } from '../../model/table-location.js';
import type { SideConnection } from './client.js';

/** Where a side's table is, and as whom: what the planner needs to tell two tables apart. */
export async function tableLocation(
  conn: SideConnection,
  tableArn: string | undefined,
): Promise<TableLocation> {
  const identity = await conn.credentials.provide();
  return {
    tableName: conn.tableName,
    region: conn.region,
    endpoint: conn.endpoint,
    accessKeyId: identity.accessKeyId,
    tableArn,
  };
}
