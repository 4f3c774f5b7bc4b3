import {
  type ContinuousBackupsDescription,
  DescribeContinuousBackupsCommand,
  type DescribeContinuousBackupsCommandOutput,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  type DescribeTimeToLiveCommandOutput,
  ListTagsOfResourceCommand,
  type ListTagsOfResourceCommandOutput,
  type Tag,
  type TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import { RetryBudgetExhaustedError } from '../../errors.js';
import { attachPageJson, wireJson } from '../../model/item-json.js';
import { keyString } from '../../model/item-key.js';
import { CONTROL_RETRY_POLICY, DATA_RETRY_POLICY, RetryBudget, sleep } from '../../runtime/retry.js';
import type { StoreEnd } from '../types.js';
import {
  type Capabilities,
  type Item,
  type Key,
  type Page,
  type RetryListener,
  type ScanFilter,
  type ScanOptions,
  type Source,
  type TableSnapshot,
  type TextPage,
  UNSUPPORTED,
  type Unsupported,
} from '../types.js';
import { DynamoDbChangeSource } from './change-stream.js';
import type { SideConnection } from './client.js';
import { itemSlices } from './item-slices.js';
import {
  type DynamoDbCommand,
  isUnsupportedOperation,
  type RequestOptions,
  sendWireWithRetry,
  sendWithRetry,
} from './request.js';
import { scanPageText } from './scan-page-text.js';
import { type DynamoDbSpec, DynamoDbTableEnd } from './table-end.js';

/** Scan's response as JSON: the fields the copy reads. */
export interface WireScanOutput {
  Items?: Item[];
  ScannedCount?: number;
  LastEvaluatedKey?: Key;
  ConsumedCapacity?: { CapacityUnits?: number };
}

/**
 * Parses a Scan response and attaches to each item its own text from the response (which freezes the
 * item: the text can never stop describing it). When the texts cannot be matched one to one with the
 * parsed items, none is attached: the items are then serialized again when written, which costs
 * time, never correctness.
 */
export function readScanPage(text: string): WireScanOutput {
  const out = JSON.parse(text) as WireScanOutput;
  const items = out.Items;
  if (!items || items.length === 0) return out;
  const slices = itemSlices(text);
  if (slices) attachPageJson(items, slices);
  return out;
}

/**
 * A Scan response as a page of text items (scan-page-text.ts), or, when the text walk declines it, as
 * readScanPage reads it: parsed, and a SyntaxError when it is not JSON.
 */
export function readScanTextPage(text: string, keyAttributes: readonly string[]): Page | TextPage {
  const page = scanPageText(text, keyAttributes);
  if (!page) return pageOf(readScanPage(text));
  return {
    texts: page.items,
    scanned: page.scannedCount ?? page.items.length,
    lastKey: page.lastEvaluatedKey,
    consumedRead: page.consumedCapacity ?? 0,
  };
}

/** A parsed Scan response as a page. */
function pageOf(out: WireScanOutput): Page {
  return {
    items: out.Items ?? [],
    scanned: out.ScannedCount ?? out.Items?.length ?? 0,
    lastKey: out.LastEvaluatedKey,
    consumedRead: out.ConsumedCapacity?.CapacityUnits ?? 0,
  };
}

/** A filter as Scan's request fields: the expression, and the placeholders it uses. */
function filterRequest(filter: ScanFilter): Record<string, unknown> {
  return {
    FilterExpression: filter.expression,
    ...(filter.names && Object.keys(filter.names).length ? { ExpressionAttributeNames: filter.names } : {}),
    ...(filter.values && Object.keys(filter.values).length
      ? { ExpressionAttributeValues: filter.values }
      : {}),
  };
}

/** BatchGetItem's response as JSON: the fields keysExisting reads. */
interface WireBatchGetOutput {
  Responses?: Record<string, Item[]>;
  UnprocessedKeys?: Record<string, { Keys?: Key[] }>;
  ConsumedCapacity?: { CapacityUnits?: number }[];
}

/** BatchGetItem takes at most 100 keys per request (AWS limit). */
export const BATCH_GET_MAX_KEYS = 100;

/** A filter and a projection as Scan's request fields, their name placeholders merged. */
function scanRequestFields(filter: ScanFilter | undefined, attributes: readonly string[] | undefined) {
  const projection = attributes?.length ? projectionOf(attributes) : undefined;
  const fields: Record<string, unknown> = filter ? filterRequest(filter) : {};
  if (projection) {
    fields.ProjectionExpression = projection.expression;
    fields.ExpressionAttributeNames = {
      ...((fields.ExpressionAttributeNames as Record<string, string> | undefined) ?? {}),
      ...projection.names,
    };
  }
  return fields;
}

/** `#ddbcopyP0, #ddbcopyP1`: placeholders that cannot meet a user's filter placeholders. */
function projectionOf(attributes: readonly string[]): { expression: string; names: Record<string, string> } {
  const names: Record<string, string> = {};
  attributes.forEach((name, i) => {
    names[`#ddbcopyP${i}`] = name;
  });
  return { expression: Object.keys(names).join(', '), names };
}

/** A DynamoDB table read with Scan. It only ever sends reads and describes (the client enforces it). */
export class DynamoDbSource extends DynamoDbTableEnd implements Source, StoreEnd {
  readonly capabilities: Capabilities = {
    parallelScan: true,
    schema: true,
    consistentRead: true,
    validItems: true,
    filter: true,
  };

  /** The change streams opened on this table, by ARN; closed with it. */
  private readonly streams = new Map<string, DynamoDbChangeSource>();

  constructor(
    connection: SideConnection,
    private readonly onRetry?: RetryListener,
    spec?: DynamoDbSpec,
  ) {
    super(connection, spec);
  }

  /**
   * The table's change stream `streamArn` (its LatestStreamArn), read with this side's credentials
   * and retries. One reader per ARN: asking again gives the same one. `close()` closes it too.
   */
  changes(streamArn: string): DynamoDbChangeSource {
    let changes = this.streams.get(streamArn);
    if (!changes) {
      changes = new DynamoDbChangeSource(this.connection, streamArn, this.onRetry);
      this.streams.set(streamArn, changes);
    }
    return changes;
  }

  override close(): void {
    for (const changes of this.streams.values()) changes.close();
    this.streams.clear();
    super.close();
  }

  async describe(skip: ReadonlySet<string> = new Set()): Promise<TableSnapshot> {
    const conn = this.connection;
    const described = await this.control<DescribeTableCommandOutput>(
      new DescribeTableCommand({ TableName: conn.apiTableName }),
      'DescribeTable',
    );
    const table = described.Table!;
    const timeToLive: TimeToLiveDescription | Unsupported = skip.has('ttl')
      ? UNSUPPORTED
      : await this.optional(async () => {
          const out = await this.control<DescribeTimeToLiveCommandOutput>(
            new DescribeTimeToLiveCommand({ TableName: conn.apiTableName }),
            'DescribeTimeToLive',
          );
          return out.TimeToLiveDescription ?? { TimeToLiveStatus: 'DISABLED' };
        });
    const continuousBackups: ContinuousBackupsDescription | Unsupported = skip.has('pitr')
      ? UNSUPPORTED
      : await this.optional(async () => {
          const out = await this.control<DescribeContinuousBackupsCommandOutput>(
            new DescribeContinuousBackupsCommand({ TableName: conn.apiTableName }),
            'DescribeContinuousBackups',
          );
          return out.ContinuousBackupsDescription ?? { ContinuousBackupsStatus: 'DISABLED' };
        });
    const tags: Tag[] | Unsupported =
      skip.has('tags') || !table.TableArn
        ? UNSUPPORTED
        : await this.optional(() => this.listTags(table.TableArn!));
    return { table, timeToLive, continuousBackups, tags };
  }

  /**
   * Reads one item, to find out before the target is touched that Scan is allowed: an AccessDenied
   * after the target was deleted would leave the user with neither the old target nor a copy.
   */
  async checkScanAllowed(): Promise<void> {
    await sendWireWithRetry(
      this.connection,
      wireJson({ TableName: this.connection.apiTableName, Limit: 1 }),
      {
        operation: 'Scan',
        policy: CONTROL_RETRY_POLICY,
        onRetry: this.onRetry,
      },
    );
  }

  /**
   * Pages of one segment over the wire client: items arrive as DynamoDB's JSON (binary as base64
   * text) and are handed on exactly so, never converted. Each item also carries its text as received
   * (item-json.ts), so a DynamoDB sink sends it on without serializing it again.
   */
  scan(options: ScanOptions): AsyncIterable<Page> {
    return this.pages(options, (text) => pageOf(readScanPage(text)));
  }

  /**
   * Pages of one segment as text items (scan-page-text.ts): no item object is built. A page the text
   * walk declines is parsed as `scan` parses it (and fails as it would if it is not JSON).
   */
  scanText(options: ScanOptions, keyAttributes: readonly string[]): AsyncIterable<Page | TextPage> {
    return this.pages(options, (text) => readScanTextPage(text, keyAttributes));
  }

  /** The Scan requests of one segment, each response read by `read`, until the last page. */
  private async *pages<P extends { lastKey: Key | undefined }>(
    options: ScanOptions,
    read: (text: string) => P,
  ): AsyncIterable<P> {
    const conn = this.connection;
    let startKey = options.startKey;
    do {
      let page: P | undefined = await sendWireWithRetry<P>(
        conn,
        wireJson({
          TableName: conn.apiTableName,
          Segment: options.segment,
          TotalSegments: options.totalSegments,
          ExclusiveStartKey: startKey,
          Limit: options.limit,
          ConsistentRead: options.consistentRead,
          ReturnConsumedCapacity: 'TOTAL',
          ...scanRequestFields(options.filter, options.attributes),
        }),
        {
          operation: 'Scan',
          policy: DATA_RETRY_POLICY,
          onRetry: this.onRetry,
          signal: options.signal,
          retryUnreachable: true,
        },
        read,
      );
      startKey = page.lastKey;
      yield page;
      // A generator keeps a variable's value until it is overwritten: without this, the page just
      // handed on would stay in memory while the next one is fetched.
      page = undefined;
    } while (startKey);
  }

  /**
   * Which of `keys` (at most 100, no key twice) the table holds now, as keyString()s: a strongly
   * consistent BatchGetItem that returns only the key attributes. UnprocessedKeys are asked again
   * after a full-jitter pause (the budget restarts whenever some get through); never resolves with a
   * key unasked. Returns the read capacity consumed too.
   */
  async keysExisting(
    keys: readonly Key[],
    keyAttributes: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ existing: Set<string>; consumedRead: number }> {
    const conn = this.connection;
    const existing = new Set<string>();
    let consumedRead = 0;
    if (keys.length === 0) return { existing, consumedRead };
    const projection = projectionOf(keyAttributes);
    const budget = new RetryBudget(DATA_RETRY_POLICY);
    let pending: readonly Key[] = keys;
    for (;;) {
      const out = await sendWireWithRetry<WireBatchGetOutput>(
        conn,
        wireJson({
          RequestItems: {
            [conn.apiTableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: projection.expression,
              ExpressionAttributeNames: projection.names,
            },
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
        {
          operation: 'BatchGetItem',
          policy: DATA_RETRY_POLICY,
          onRetry: this.onRetry,
          signal,
          retryUnreachable: true,
        },
      );
      for (const capacity of out.ConsumedCapacity ?? []) consumedRead += capacity.CapacityUnits ?? 0;
      for (const items of Object.values(out.Responses ?? {})) {
        for (const item of items) existing.add(keyString(item, keyAttributes));
      }
      const unprocessed = Object.values(out.UnprocessedKeys ?? {}).flatMap((entry) => entry.Keys ?? []);
      if (unprocessed.length === 0) return { existing, consumedRead };
      if (unprocessed.length < pending.length) budget.progressed();
      pending = unprocessed;
      this.onRetry?.('unprocessedItems');
      const delay = budget.failed();
      if (delay === undefined) {
        throw new RetryBudgetExhaustedError(
          `${pending.length} key(s) stayed unprocessed by BatchGetItem on the ${conn.side} table '${conn.tableName}' after ${budget.attemptsWithoutProgress} attempts.`,
          {
            side: conn.side,
            hint: 'Nothing was deleted for them. The table is throttling reads: lower --read-rate or raise its read capacity, then run again.',
          },
        );
      }
      await sleep(delay, signal);
    }
  }

  private async listTags(arn: string): Promise<Tag[]> {
    const tags: Tag[] = [];
    let nextToken: string | undefined;
    do {
      const out = await this.control<ListTagsOfResourceCommandOutput>(
        new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: nextToken }),
        'ListTagsOfResource',
      );
      tags.push(...(out.Tags ?? []));
      nextToken = out.NextToken;
    } while (nextToken);
    return tags;
  }

  private control<Output>(command: DynamoDbCommand, operation: string): Promise<Output> {
    const options: RequestOptions = { operation, policy: CONTROL_RETRY_POLICY, onRetry: this.onRetry };
    return sendWithRetry<Output>(this.connection, command, options);
  }

  /** Reads a setting that some endpoints (DynamoDB Local) do not offer. */
  private async optional<T>(read: () => Promise<T>): Promise<T | Unsupported> {
    try {
      return await read();
    } catch (error) {
      if (isUnsupportedOperation(error)) return UNSUPPORTED;
      throw error;
    }
  }
}
