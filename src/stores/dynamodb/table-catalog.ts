import {
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  ListTablesCommand,
  type ListTablesCommandOutput,
  ListTagsOfResourceCommand,
  type ListTagsOfResourceCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { InvalidOptionError, type Side } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import type { TableIdentity } from '../../model/table-location.js';
import { Pacer } from '../../runtime/pacer.js';
import { CONTROL_RETRY_POLICY } from '../../runtime/retry.js';
import type { SigningIdentity } from '../types.js';
import { closeSide, connectSide, type SideConnection } from './client.js';
import { isUnsupportedOperation, sendWithRetry } from './request.js';

/** What a catalog may send: it lists and describes, never changes anything. */
const CATALOG_OPERATIONS: ReadonlySet<string> = new Set([
  'ListTablesCommand',
  'ListTagsOfResourceCommand',
  'DescribeTableCommand',
]);

/** ListTagsOfResource is limited to 10 calls per second per account; stay under it. */
const TAG_CALLS_PER_SECOND = 8;

/**
 * One side's account and region as a list of tables: what `--tables` globs and `--tables-tagged`
 * select from. It reads only (ListTables, ListTagsOfResource, DescribeTable).
 */
export class TableCatalog {
  private constructor(private readonly conn: SideConnection) {}

  /** Connects a side without naming a table (the side's profile, role, region and endpoint). */
  static async open(side: Side, config: Omit<SideConfig, 'table'>): Promise<TableCatalog> {
    const conn = await connectSide(
      side,
      { ...config, table: '' },
      { maxSockets: 4, allowedOperations: CATALOG_OPERATIONS },
    );
    return new TableCatalog(conn);
  }

  /** Where the catalog is, in a checkpoint's and a summary's words (the table left empty). */
  get location(): TableIdentity {
    return { table: '', region: this.conn.region, endpoint: this.conn.endpoint ?? null };
  }

  /**
   * Whether `other` reaches the same tables: same region and endpoint, signed by the same access key.
   * (DynamoDB Local keeps one database per access key and region, so the key matters there too.) Two
   * keys of one AWS account are told apart later, by the tables' ARNs.
   */
  async sameTablesAs(other: TableCatalog): Promise<boolean> {
    if (
      this.conn.region !== other.conn.region ||
      (this.conn.endpoint ?? '') !== (other.conn.endpoint ?? '')
    ) {
      return false;
    }
    const [mine, theirs] = await Promise.all([
      this.conn.credentials.provide(),
      other.conn.credentials.provide(),
    ]);
    return mine.accessKeyId === theirs.accessKeyId;
  }

  get warnings(): readonly string[] {
    return this.conn.warnings;
  }

  /** The side's credentials, for another store to sign with (an import's s3:// folder of exports). */
  get signer(): SigningIdentity {
    return this.conn;
  }

  /** Every table name, following ListTables' pages (a 220-table account has three). */
  async listTables(signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await sendWithRetry<ListTablesCommandOutput>(
        this.conn,
        new ListTablesCommand({ Limit: 100, ...(start ? { ExclusiveStartTableName: start } : {}) }),
        { operation: 'ListTables', policy: CONTROL_RETRY_POLICY, signal },
      );
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    return names;
  }

  /**
   * The tables among `names` that carry tag `key` with `value`. One DescribeTable (for the ARN) and
   * one ListTagsOfResource per table, paced under AWS's 10 calls per second.
   */
  async tablesTagged(
    names: readonly string[],
    tag: { key: string; value: string },
    signal?: AbortSignal,
  ): Promise<Set<string>> {
    const pacer = new Pacer(TAG_CALLS_PER_SECOND);
    const found = new Set<string>();
    for (const name of names) {
      const described = await sendWithRetry<DescribeTableCommandOutput>(
        this.conn,
        new DescribeTableCommand({ TableName: name }),
        { operation: 'DescribeTable', policy: CONTROL_RETRY_POLICY, signal },
      );
      const arn = described.Table?.TableArn;
      if (!arn) continue;
      let next: string | undefined;
      do {
        await pacer.take(1, signal);
        let page: ListTagsOfResourceCommandOutput;
        try {
          page = await sendWithRetry<ListTagsOfResourceCommandOutput>(
            this.conn,
            new ListTagsOfResourceCommand({ ResourceArn: arn, ...(next ? { NextToken: next } : {}) }),
            { operation: 'ListTagsOfResource', policy: CONTROL_RETRY_POLICY, signal },
          );
        } catch (error) {
          if (!isUnsupportedOperation(error)) throw error;
          throw new InvalidOptionError(
            `--tables-tagged: the ${this.conn.side} endpoint does not support tags (ListTagsOfResource).`,
            {
              side: this.conn.side,
              cause: error,
              hint: 'Select the tables by name instead: --tables NAME,GLOB (DynamoDB Local has no tags).',
            },
          );
        }
        if ((page.Tags ?? []).some((t) => t.Key === tag.key && t.Value === tag.value)) found.add(name);
        next = page.NextToken;
      } while (next && !found.has(name));
    }
    return found;
  }

  close(): void {
    closeSide(this.conn);
  }
}
