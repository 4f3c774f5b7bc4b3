import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type TableDescription,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { isDdbCopyError, RetryBudgetExhaustedError, TableStateTimeoutError } from '../../errors.js';
import { wireJson } from '../../model/item-json.js';
import { itemSize } from '../../model/item-size.js';
import {
  CONTROL_RETRY_POLICY,
  DATA_RETRY_POLICY,
  RetryBudget,
  sleep,
  TABLE_OPERATION_RETRY_POLICY,
} from '../../runtime/retry.js';
import type {
  Capabilities,
  ChangeWrite,
  Item,
  Key,
  LateSetting,
  RetryListener,
  Sink,
  StoreEnd,
  Unsupported,
  WriteResult,
} from '../types.js';
import { TextItem, UNSUPPORTED } from '../types.js';
import type { SideConnection } from './client.js';
import { classifyError } from './errors.js';
import { type DynamoDbCommand, isUnsupportedOperation, sendWireWithRetry, sendWithRetry } from './request.js';
import { type DynamoDbSpec, DynamoDbTableEnd } from './table-end.js';
import { batchWriteJson } from './wire-client.js';

/** How long a table may take to disappear or to become ACTIVE with all its indexes. */
const TABLE_STATE_TIMEOUT_MS = 30 * 60_000;

/** Operations AWS counts against its per-account limit on table operations in flight. */
const TABLE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'UpdateTimeToLive',
  'UpdateContinuousBackups',
]);

/** A DynamoDB table written with BatchWriteItem; also the target's control plane. */
export class DynamoDbSink extends DynamoDbTableEnd implements Sink, StoreEnd {
  readonly capabilities: Capabilities = {
    parallelScan: true,
    schema: true,
    consistentRead: true,
    validItems: true,
  };

  /**
   * Whether BatchWriteItem asks for ConsumedCapacity. DynamoDB Local (found by its table ARN, which
   * names the region `ddblocal`) is not asked: counting it there cut the server's write throughput by
   * a third (measured: 1.4× more items/s without it), and it bills nothing; the copy then counts what
   * AWS would charge, 1 WCU per started KB of each item put (units() below).
   */
  private asksCapacity = true;

  constructor(
    connection: SideConnection,
    private readonly onRetry?: RetryListener,
    spec?: DynamoDbSpec,
  ) {
    super(connection, spec);
  }

  async describe(signal?: AbortSignal): Promise<TableDescription | undefined> {
    try {
      const out = await this.control<DescribeTableCommandOutput>(
        new DescribeTableCommand({ TableName: this.connection.apiTableName }),
        'DescribeTable',
        signal,
      );
      if (out.Table?.TableArn) this.asksCapacity = !isDynamoDbLocal(out.Table.TableArn);
      return out.Table;
    } catch (error) {
      if (isDdbCopyError(error) && error.code === 'TABLE_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** `onAccepted` runs once DynamoDB has accepted the deletion: from then on the old table is going. */
  async deleteTable(signal?: AbortSignal, onAccepted?: () => void): Promise<void> {
    try {
      await this.control(
        new DeleteTableCommand({ TableName: this.connection.apiTableName }),
        'DeleteTable',
        signal,
      );
      onAccepted?.();
    } catch (error) {
      // Already gone (deleted by someone else meanwhile): that is what we wanted.
      if (!(isDdbCopyError(error) && error.code === 'TABLE_NOT_FOUND')) throw error;
    }
    await this.waitFor('to be deleted', signal, (table) => table === undefined);
  }

  async createTable(input: CreateTableCommandInput, signal?: AbortSignal): Promise<TableDescription> {
    await this.control(new CreateTableCommand(input), 'CreateTable', signal);
    return this.waitFor('and all its indexes to become ACTIVE', signal, isActive);
  }

  async applySetting(setting: LateSetting, signal?: AbortSignal): Promise<'applied' | Unsupported> {
    const table = this.connection.apiTableName;
    try {
      switch (setting.kind) {
        case 'ttl':
          await this.control(
            new UpdateTimeToLiveCommand({
              TableName: table,
              TimeToLiveSpecification: { Enabled: true, AttributeName: setting.attributeName },
            }),
            'UpdateTimeToLive',
            signal,
          );
          break;
        case 'pitr':
          await this.control(
            new UpdateContinuousBackupsCommand({
              TableName: table,
              PointInTimeRecoverySpecification: {
                PointInTimeRecoveryEnabled: true,
                ...(setting.recoveryPeriodInDays
                  ? { RecoveryPeriodInDays: setting.recoveryPeriodInDays }
                  : {}),
              },
            }),
            'UpdateContinuousBackups',
            signal,
          );
          break;
        case 'tags': {
          const arn = (await this.describe(signal))?.TableArn;
          await this.control(
            new TagResourceCommand({ ResourceArn: arn, Tags: setting.tags }),
            'TagResource',
            signal,
          );
          break;
        }
      }
      return 'applied';
    } catch (error) {
      if (isUnsupportedOperation(error)) return UNSUPPORTED;
      throw error;
    }
  }

  /**
   * Puts every item or throws. UnprocessedItems are sent again after a full-jitter pause, with a budget
   * that restarts whenever some of them get through; a request too large for the endpoint is halved.
   */
  async writeBatch(items: Item[], signal?: AbortSignal): Promise<WriteResult> {
    return this.writeRequests(items, ITEM_BATCHES, signal);
  }

  /** writeBatch for items as text: each goes out as exactly its text (UnprocessedItems as DynamoDB returns them). */
  async writeTexts(items: readonly TextItem[], signal?: AbortSignal): Promise<WriteResult> {
    return this.writeRequests<Item | TextItem>(items, ITEM_BATCHES, signal);
  }

  /**
   * Puts and deletes in one BatchWriteItem (at most 25, no key twice: the caller's promise), with
   * writeBatch's guarantees: unprocessed puts and deletes are sent again exactly as they were.
   */
  async writeChanges(changes: readonly ChangeWrite[], signal?: AbortSignal): Promise<WriteResult> {
    return this.writeRequests(changes, CHANGE_BATCHES, signal);
  }

  /**
   * The write loop both batches share: send, sum the capacity, send UnprocessedItems again after a
   * full-jitter pause (the budget restarts whenever some get through), halve what is too large.
   */
  private async writeRequests<T>(
    requests: readonly T[],
    batches: BatchShape<T>,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const conn = this.connection;
    const result: WriteResult = { consumedWrite: 0, throttled: false };
    const onRetry: RetryListener = (reason) => {
      if (reason === 'throttled') result.throttled = true;
      this.onRetry?.(reason);
    };
    const budget = new RetryBudget(DATA_RETRY_POLICY);
    let pending = requests;
    for (;;) {
      let out: WireBatchWriteOutput;
      try {
        const body = batches.body(conn.apiTableName, pending, this.asksCapacity);
        out = await sendWireWithRetry<WireBatchWriteOutput>(conn, body, {
          operation: 'BatchWriteItem',
          policy: DATA_RETRY_POLICY,
          onRetry,
          signal,
          retryUnreachable: true,
        });
      } catch (error) {
        if (pending.length > 1 && isDdbCopyError(error) && classifyError(error.cause) === 'too-large') {
          return this.writeHalves(pending, batches, result, signal);
        }
        throw error;
      }
      for (const capacity of out.ConsumedCapacity ?? []) result.consumedWrite += capacity.CapacityUnits ?? 0;
      const unprocessed = batches.unprocessed(out);
      if (!this.asksCapacity) result.consumedWrite += batches.units(pending) - batches.units(unprocessed);
      if (unprocessed.length === 0) return result;
      if (unprocessed.length < pending.length) budget.progressed();
      pending = unprocessed;
      result.throttled = true;
      this.onRetry?.('unprocessedItems');
      const delay = budget.failed();
      if (delay === undefined) {
        throw new RetryBudgetExhaustedError(
          `${pending.length} ${batches.noun} stayed unprocessed by BatchWriteItem on the target table '${conn.tableName}' after ${budget.attemptsWithoutProgress} attempts.`,
          {
            side: 'target',
            hint: 'Nothing was skipped. The target is throttling: lower --write-rate or raise its write capacity, then resume.',
          },
        );
      }
      await sleep(delay, signal);
    }
  }

  private async writeHalves<T>(
    requests: readonly T[],
    batches: BatchShape<T>,
    result: WriteResult,
    signal?: AbortSignal,
  ): Promise<WriteResult> {
    const middle = Math.ceil(requests.length / 2);
    for (const half of [requests.slice(0, middle), requests.slice(middle)]) {
      const part = await this.writeRequests(half, batches, signal);
      result.consumedWrite += part.consumedWrite;
      result.throttled ||= part.throttled;
    }
    return result;
  }

  private control<Output>(
    command: DynamoDbCommand,
    operation: string,
    signal?: AbortSignal,
  ): Promise<Output> {
    return sendWithRetry<Output>(this.connection, command, {
      operation,
      // Describes fail fast; changes to a table may queue behind the account's limit on table operations.
      policy: TABLE_OPERATIONS.has(operation) ? TABLE_OPERATION_RETRY_POLICY : CONTROL_RETRY_POLICY,
      onRetry: this.onRetry,
      signal,
    });
  }

  /** Polls DescribeTable until `done` holds, backing off from 250 ms to 5 s. */
  private async waitFor(
    what: string,
    signal: AbortSignal | undefined,
    done: (table: TableDescription | undefined) => boolean,
  ): Promise<TableDescription> {
    const deadline = Date.now() + TABLE_STATE_TIMEOUT_MS;
    let delay = 250;
    for (;;) {
      const table = await this.describe(signal);
      if (done(table)) return table as TableDescription;
      if (Date.now() > deadline) {
        throw new TableStateTimeoutError(
          `Gave up waiting for the target table '${this.connection.tableName}' ${what} after ${TABLE_STATE_TIMEOUT_MS / 60_000} minutes (status: ${table?.TableStatus ?? 'absent'}).`,
          { side: 'target', hint: 'Check the table in the AWS console, then run the copy again.' },
        );
      }
      await sleep(delay, signal);
      delay = Math.min(5_000, delay * 1.5);
    }
  }
}

function isActive(table: TableDescription | undefined): boolean {
  return (
    table?.TableStatus === 'ACTIVE' &&
    (table.GlobalSecondaryIndexes ?? []).every(
      (index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE',
    )
  );
}

/** BatchWriteItem's response as JSON: the fields the copy reads. */
interface WireBatchWriteOutput {
  UnprocessedItems?: Record<string, { PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Key } }[]>;
  ConsumedCapacity?: { CapacityUnits?: number }[];
}

/** How one kind of batch is written: its request body, what came back unprocessed, and its name. */
interface BatchShape<T> {
  /** The BatchWriteItem body; with `returnCapacity`, it asks for ReturnConsumedCapacity TOTAL. */
  body(table: string, requests: readonly T[], returnCapacity: boolean): string;
  /** The write units AWS charges for `requests` into a table without the items: 1 per started KB. */
  units(requests: readonly T[]): number;
  /** The requests UnprocessedItems holds, as the same kind, to be sent again exactly so. */
  unprocessed(out: WireBatchWriteOutput): T[];
  /** For messages: what `pending.length` counts. */
  noun: string;
}

/**
 * Puts of whole items, as objects or as text: the body reuses each item's text as received
 * (batchWriteJson), for speed. What comes back unprocessed is sent again as the objects DynamoDB
 * returned, which are the same items.
 */
const ITEM_BATCHES: BatchShape<Item | TextItem> = {
  body: batchWriteJson,
  units(items) {
    let units = 0;
    for (const item of items) units += writeUnits(item instanceof TextItem ? item.size : itemSize(item));
    return units;
  },
  unprocessed(out) {
    const items: Item[] = [];
    for (const requests of Object.values(out.UnprocessedItems ?? {})) {
      for (const request of requests) {
        if (request.PutRequest?.Item) items.push(request.PutRequest.Item);
      }
    }
    return items;
  },
  noun: 'item(s)',
};

/** Puts and deletes of a follow, mixed. */
const CHANGE_BATCHES: BatchShape<ChangeWrite> = {
  body: changesWriteJson,
  units(changes) {
    let units = 0;
    // A delete is charged by the size of the item it removes, which is not known here: 1 at least.
    for (const change of changes) units += change.put !== undefined ? writeUnits(itemSize(change.put)) : 1;
    return units;
  },
  unprocessed(out) {
    const changes: ChangeWrite[] = [];
    for (const requests of Object.values(out.UnprocessedItems ?? {})) {
      for (const request of requests) {
        if (request.PutRequest?.Item) changes.push({ put: request.PutRequest.Item });
        else if (request.DeleteRequest?.Key) changes.push({ delete: request.DeleteRequest.Key });
      }
    }
    return changes;
  },
  noun: 'write(s)',
};

/**
 * The BatchWriteItem body of puts and deletes (with ReturnConsumedCapacity TOTAL when asked). wireJson
 * writes binary given as bytes (from the SDK's streams client) as base64, and base64 text as it is.
 */
function changesWriteJson(table: string, changes: readonly ChangeWrite[], returnCapacity: boolean): string {
  const requests = changes.map((change) =>
    change.put !== undefined
      ? { PutRequest: { Item: change.put } }
      : { DeleteRequest: { Key: change.delete } },
  );
  return wireJson({
    RequestItems: { [table]: requests },
    ...(returnCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
  });
}

/** BatchWriteItem: 1 WCU per started KB of an item put. */
function writeUnits(size: number): number {
  return Math.ceil(size / 1024) || 1;
}

/** DynamoDB Local's table ARNs name the region `ddblocal` (arn:aws:dynamodb:ddblocal:000000000000:table/NAME). */
function isDynamoDbLocal(tableArn: string): boolean {
  return tableArn.startsWith('arn:aws:dynamodb:ddblocal:');
}
