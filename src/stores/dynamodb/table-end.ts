import type { Side } from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { TableIdentity, TableLocation } from '../../model/table-location.js';
import { callerIdentity } from './caller-identity.js';
import type { SideConfig } from './client.js';
import { closeSide, connectSide, type SideConnection, SOURCE_OPERATIONS } from './client.js';
import { tableLocation } from './table-location.js';

/**
 * How to open one side's DynamoDB table: plain data, so a copy worker thread can open the same table
 * again. `config.credentials` given as a function (library use) cannot cross threads.
 */
export interface DynamoDbSpec {
  store: 'dynamodb';
  side: Side;
  config: SideConfig;
  /** Sockets kept open to the endpoint; at least the number of requests in flight. */
  maxSockets: number;
  /** The endpoint the main thread's SDK already resolved (worker threads skip resolving it again). */
  resolvedEndpoint?: string;
  /**
   * A source that also starts AWS's export of itself (`copy --via-export`): ExportTableToPointInTime
   * and DescribeExport are let through too. They read PITR backups; they never write to the table.
   */
  exportJobs?: boolean;
}

/** Operations a source opened for `--via-export` may perform: its reads, and its own export. */
export const VIA_EXPORT_SOURCE_OPERATIONS: ReadonlySet<string> = new Set([
  ...SOURCE_OPERATIONS,
  'ExportTableToPointInTimeCommand',
  'DescribeExportCommand',
]);

/**
 * Connects a side. A table opened to be read (a Source: the copy's source, both sides of a verify)
 * gets a client that refuses anything but reads and describes before a request leaves the process.
 */
export async function connectSpec(spec: DynamoDbSpec, readOnly: boolean): Promise<SideConnection> {
  const conn = await connectSide(spec.side, spec.config, {
    maxSockets: spec.maxSockets,
    ...(readOnly
      ? { allowedOperations: spec.exportJobs ? VIA_EXPORT_SOURCE_OPERATIONS : SOURCE_OPERATIONS }
      : {}),
  });
  if (spec.resolvedEndpoint) conn.resolvedEndpoint = new URL(spec.resolvedEndpoint);
  return conn;
}

/** What DynamoDbSource and DynamoDbSink tell a run about where their table is (the StoreEnd contract). */
export abstract class DynamoDbTableEnd {
  constructor(
    readonly connection: SideConnection,
    private readonly spec?: DynamoDbSpec,
  ) {}

  get identity(): TableIdentity {
    const conn = this.connection;
    return { table: conn.tableName, region: conn.region, endpoint: conn.endpoint ?? null };
  }

  get tableName(): string {
    return this.connection.tableName;
  }

  get warnings(): readonly string[] {
    return this.connection.warnings;
  }

  get signer(): SideConnection {
    return this.connection;
  }

  locate(tableArn: string | undefined): Promise<TableLocation> {
    return tableLocation(this.connection, tableArn);
  }

  /** Who this side acts as: its account and caller (STS GetCallerIdentity, asked once), profile or role, region. */
  async whoAmI(): Promise<SideIdentity> {
    const conn = this.connection;
    const lookup = await callerIdentity(conn);
    return {
      ...('identity' in lookup
        ? { account: lookup.identity.account, arn: lookup.identity.arn }
        : { accountUnknown: { reason: lookup.unknown, message: lookup.message } }),
      ...(conn.profile ? { profile: conn.profile } : {}),
      ...(conn.roleArn ? { roleArn: conn.roleArn } : {}),
      ...(conn.givenCredentials ? { givenCredentials: true } : {}),
      region: conn.region,
      ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
    };
  }

  /** The spec a worker thread opens this table with: the same side, the endpoint already resolved. */
  threadSpec(): DynamoDbSpec {
    const conn = this.connection;
    return {
      store: 'dynamodb',
      side: conn.side,
      config: { ...(this.spec?.config ?? { table: conn.apiTableName }) },
      maxSockets: conn.maxSockets,
      ...((conn.resolvedEndpoint?.href ?? conn.endpoint)
        ? { resolvedEndpoint: conn.resolvedEndpoint?.href ?? conn.endpoint }
        : {}),
    };
  }

  close(): void {
    closeSide(this.connection);
  }
}
