/**
 * An in-memory table: a Source and a Sink for engine tests, with fault hooks (failed writes,
 * UnprocessedItems, empty pages, slow pages and writes) that a real endpoint offers only by chance.
 *
 * Items are kept exactly as given (AttributeValue maps, copied on write) in a Map keyed by the
 * canonical key string. The parallel-scan split and the page order are deterministic: an item's
 * segment is a hash of its key string, and a segment's pages follow the key strings' sort order, so a
 * scan resumed after a page's `lastKey` continues exactly where that page stopped.
 */
import type {
  ContinuousBackupsDescription,
  CreateTableCommandInput,
  TableDescription,
  Tag,
  TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';
import { AwsRequestError, RetryBudgetExhaustedError, TableNotFoundError } from '../../src/errors.js';
import { keyString } from '../../src/model/item-key.js';
import { itemSize } from '../../src/model/item-size.js';
import { keyAttributeNames } from '../../src/model/key-schema.js';
import { RetryBudget, type RetryPolicy, sleep } from '../../src/runtime/retry.js';
import {
  type Capabilities,
  type Item,
  type Key,
  type LateSetting,
  type LateSettingKind,
  type Page,
  type ScanOptions,
  type Sink,
  type Source,
  type TableSnapshot,
  UNSUPPORTED,
  type Unsupported,
  type WriteResult,
} from '../../src/stores/types.js';

/** BatchWriteItem: at most 25 put requests. */
const MAX_BATCH_ITEMS = 25;
/** BatchWriteItem: at most 16 MB per request. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** DynamoDB: an item is at most 400 KB, attribute names included. */
const MAX_ITEM_BYTES = 400 * 1024;
/** Scan: a page holds at most 1 MB of items. */
const MAX_PAGE_BYTES = 1024 * 1024;

/** Unprocessed items are sent again quickly: this is a test double, the pauses only keep order honest. */
const UNPROCESSED_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 1,
  maxDelayMs: 10,
  budgetMs: 10_000,
});

/** Faults a test injects. Every hook is optional; without them the store behaves like a healthy table. */
export interface MemoryFaults {
  /**
   * Called before each BatchWriteItem request (after `writeDelayMs`); `attempt` counts the requests
   * this store received, from 1. An error returned is thrown and nothing of the request is written.
   */
  failWrite?(items: readonly Item[], attempt: number): Error | undefined;
  /**
   * The items of a request to leave unwritten, as DynamoDB's UnprocessedItems. writeBatch sends them
   * again after a short pause (and reports `throttled`), as the Sink contract says, until its retry
   * budget runs out.
   */
  unprocessed?(items: readonly Item[]): Item[];
  /**
   * Asked before each page of a scan after the first (`page` counts the pages this scan yielded): true
   * yields an empty page that still has a lastKey (the previous page's), as DynamoDB does when a
   * segment's slice of the table holds nothing. Must not return true forever.
   */
  emptyPage?(segment: number, page: number): boolean;
  /** Delay before each scan page (aborted by the scan's signal). */
  pageDelayMs?: number;
  /** Delay before each write request (aborted by the write's signal). */
  writeDelayMs?: number;
}

export interface MemoryStoreOptions {
  /** The table as DescribeTable shows it. Absent: the table does not exist until createTable. */
  table?: TableDescription;
  /** Items to start with (copied). */
  items?: Iterable<Item>;
  timeToLive?: TimeToLiveDescription;
  continuousBackups?: ContinuousBackupsDescription;
  tags?: Tag[];
  /** Settings this "endpoint" lacks (like DynamoDB Local lacks tags and PITR): described and applied as unsupported. */
  unsupportedSettings?: readonly LateSettingKind[];
  capabilities?: Partial<Capabilities>;
  faults?: MemoryFaults;
}

/** What the store was asked to do, for tests to assert on. */
export interface MemoryCounters {
  /** scan() calls, i.e. segments started or resumed. */
  scans: number;
  pages: number;
  emptyPages: number;
  /** BatchWriteItem requests, retries of unprocessed items included. */
  writeRequests: number;
  itemsWritten: number;
  writesInFlight: number;
  maxWritesInFlight: number;
}

/** The scan segment of a key string: a hash of it modulo the segment count (deterministic, disjoint). */
export function memorySegmentOf(key: string, totalSegments: number): number {
  // FNV-1a over UTF-16 code units.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % totalSegments;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One in-memory table. `source` and `sink` are its two faces: the interfaces both name a `describe`
 * with different results (a snapshot for the source, the description or undefined for the target),
 * so one object cannot be both.
 */
export class MemoryStore {
  readonly capabilities: Capabilities;
  readonly source: Source;
  readonly sink: Sink;
  readonly counters: MemoryCounters = {
    scans: 0,
    pages: 0,
    emptyPages: 0,
    writeRequests: 0,
    itemsWritten: 0,
    writesInFlight: 0,
    maxWritesInFlight: 0,
  };
  /** Pages yielded per segment number (over every scan). */
  readonly pagesBySegment = new Map<number, number>();
  faults: MemoryFaults;

  private table: TableDescription | undefined;
  private keyAttributes: string[];
  private readonly data = new Map<string, Item>();
  private timeToLive: TimeToLiveDescription;
  private continuousBackups: ContinuousBackupsDescription;
  private tags: Tag[];
  private readonly unsupported: ReadonlySet<LateSettingKind>;

  constructor(options: MemoryStoreOptions = {}) {
    this.capabilities = Object.freeze({
      parallelScan: true,
      schema: true,
      consistentRead: true,
      // A test double holds whatever a test puts in: check it like a file.
      validItems: false,
      ...options.capabilities,
    });
    this.faults = options.faults ?? {};
    this.unsupported = new Set(options.unsupportedSettings ?? []);
    this.table = options.table ? structuredClone(options.table) : undefined;
    this.keyAttributes = this.table ? keyAttributeNames(this.table) : [];
    this.timeToLive = options.timeToLive ?? { TimeToLiveStatus: 'DISABLED' };
    this.continuousBackups = options.continuousBackups ?? defaultBackups();
    this.tags = options.tags ? structuredClone(options.tags) : [];
    if (options.items) this.put(options.items);

    this.source = {
      capabilities: this.capabilities,
      describe: (skip) => this.snapshot(skip),
      scan: (scanOptions) => this.scan(scanOptions),
    };
    this.sink = {
      capabilities: this.capabilities,
      describe: async () => this.description(),
      deleteTable: (signal) => this.deleteTable(signal),
      createTable: (input, signal) => this.createTable(input, signal),
      applySetting: (setting, signal) => this.applySetting(setting, signal),
      writeBatch: (items, signal) => this.writeBatch(items, signal),
    };
  }

  /** Number of items held. */
  get size(): number {
    return this.data.size;
  }

  /** The key attribute names, hash key first (empty while the table does not exist). */
  get keyNames(): readonly string[] {
    return this.keyAttributes;
  }

  /** Stores items directly (test setup): no batch rules, no faults, no counters. */
  put(items: Iterable<Item>): void {
    const table = this.requireTable('target');
    for (const item of items) {
      this.checkItem(item, table);
      this.data.set(this.keyOf(item), structuredClone(item));
    }
  }

  /** The item stored under the key (or under the key of the item given), if any. */
  get(key: Key): Item | undefined {
    return this.data.get(this.keyOf(key));
  }

  /** True when an item with the key string (see `keyString` in src/model/item-key.ts) is stored. */
  hasKeyString(key: string): boolean {
    return this.data.has(key);
  }

  /** Canonical key string of an item or key, as this store's Map uses it. */
  keyOf(itemOrKey: Item): string {
    return keyString(itemOrKey, this.keyAttributes);
  }

  /** Every item, sorted by key string. */
  items(): Item[] {
    return [...this.data.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, item]) => item);
  }

  /** The key strings of one segment in page order: what `scan` yields, in that order. */
  segmentKeys(segment: number, totalSegments: number): string[] {
    const keys: string[] = [];
    for (const key of this.data.keys()) {
      if (memorySegmentOf(key, totalSegments) === segment) keys.push(key);
    }
    return keys.sort(compareStrings);
  }

  /** Sink.describe: the live description, or undefined when the table does not exist. */
  description(): TableDescription | undefined {
    if (!this.table) return undefined;
    let bytes = 0;
    for (const item of this.data.values()) bytes += itemSize(item);
    return { ...structuredClone(this.table), ItemCount: this.data.size, TableSizeBytes: bytes };
  }

  /** Source.describe: the table and its settings; settings in `skip` or unsupported read as 'unsupported'. */
  async snapshot(skip: ReadonlySet<string> = new Set()): Promise<TableSnapshot> {
    const table = this.description();
    if (!table) throw this.notFound('source');
    const setting = <T>(kind: LateSettingKind, value: T): T | Unsupported =>
      skip.has(kind) || this.unsupported.has(kind) ? UNSUPPORTED : structuredClone(value);
    return {
      table,
      timeToLive: setting('ttl', this.timeToLive),
      continuousBackups: setting('pitr', this.continuousBackups),
      tags: setting('tags', this.tags),
    };
  }

  /**
   * Source.scan. Pages follow the segment's key-string order from just after `startKey`. Like
   * DynamoDB, a page stops at `limit` items or 1 MB and then carries a lastKey (its last item's key)
   * even when nothing follows, in which case the next page is empty and final. The segment's items
   * are taken when the scan starts; later writes are not seen by it.
   */
  async *scan(options: ScanOptions): AsyncGenerator<Page> {
    const { segment, totalSegments, signal } = options;
    if (!Number.isInteger(totalSegments) || totalSegments < 1 || !Number.isInteger(segment)) {
      throw new RangeError(`bad scan segment ${segment} of ${totalSegments}`);
    }
    if (segment < 0 || segment >= totalSegments) {
      throw new RangeError(`scan segment ${segment} is outside 0..${totalSegments - 1}`);
    }
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 1)) throw new RangeError(`scan limit must be at least 1, not ${limit}`);
    this.requireTable('source');
    this.counters.scans += 1;

    const keys = this.segmentKeys(segment, totalSegments);
    let position: Key | undefined = options.startKey;
    let index = 0;
    if (position) {
      const after = this.keyOf(position);
      while (index < keys.length && compareStrings(keys[index]!, after) <= 0) index++;
    }
    for (let page = 0; ; page++) {
      if (this.faults.pageDelayMs) await sleep(this.faults.pageDelayMs, signal);
      else if (signal?.aborted) throw signal.reason;

      if (position && page > 0 && this.faults.emptyPage?.(segment, page)) {
        this.count(segment, true);
        yield { items: [], lastKey: structuredClone(position), consumedRead: 0.5 };
        continue;
      }
      const items: Item[] = [];
      let bytes = 0;
      while (index < keys.length && items.length < limit && bytes < MAX_PAGE_BYTES) {
        const item = this.data.get(keys[index]!);
        index++;
        // Deleted since the scan started (deleteTable): skip it.
        if (!item) continue;
        items.push(item);
        bytes += itemSize(item);
      }
      const capped = items.length >= limit || bytes >= MAX_PAGE_BYTES;
      const lastKey = capped ? this.keyAttributesOf(items[items.length - 1]!) : undefined;
      const units = Math.max(1, Math.ceil(bytes / 4096)) * (options.consistentRead ? 1 : 0.5);
      this.count(segment, items.length === 0);
      yield { items, lastKey, consumedRead: units };
      if (!lastKey) return;
      position = lastKey;
    }
  }

  /**
   * Sink.writeBatch: puts the items, enforcing BatchWriteItem's rules (1 to 25 items, at most 16 MB,
   * no repeated key, every key attribute present, items of at most 400 KB); a broken rule throws
   * before anything is written. Unprocessed items (see `faults.unprocessed`) are sent again.
   */
  async writeBatch(items: Item[], signal?: AbortSignal): Promise<WriteResult> {
    const table = this.requireTable('target');
    this.checkBatch(items, table);
    const result: WriteResult = { consumedWrite: 0, throttled: false };
    const budget = new RetryBudget(UNPROCESSED_RETRY_POLICY);
    const counters = this.counters;
    counters.writesInFlight += 1;
    counters.maxWritesInFlight = Math.max(counters.maxWritesInFlight, counters.writesInFlight);
    try {
      let pending = items;
      for (;;) {
        counters.writeRequests += 1;
        const attempt = counters.writeRequests;
        if (this.faults.writeDelayMs) await sleep(this.faults.writeDelayMs, signal);
        else if (signal?.aborted) throw signal.reason;
        const error = this.faults.failWrite?.(pending, attempt);
        if (error) throw error;
        // The table may have been deleted while the request waited.
        this.requireTable('target');

        const left = new Set((this.faults.unprocessed?.(pending) ?? []).map((item) => this.keyOf(item)));
        const unwritten: Item[] = [];
        for (const item of pending) {
          const key = this.keyOf(item);
          if (left.has(key)) {
            unwritten.push(item);
            continue;
          }
          this.data.set(key, structuredClone(item));
          counters.itemsWritten += 1;
          // BatchWriteItem: 1 WCU per item per started KB.
          result.consumedWrite += Math.ceil(itemSize(item) / 1024) || 1;
        }
        if (unwritten.length === 0) return result;
        result.throttled = true;
        if (unwritten.length < pending.length) budget.progressed();
        pending = unwritten;
        const delay = budget.failed();
        if (delay === undefined) {
          throw new RetryBudgetExhaustedError(
            `${pending.length} item(s) stayed unprocessed by the in-memory table '${table.TableName}' after ${budget.attemptsWithoutProgress} attempts.`,
            { side: 'target' },
          );
        }
        await sleep(delay, signal);
      }
    } finally {
      counters.writesInFlight -= 1;
    }
  }

  /** Sink.deleteTable: forgets the table, its items and settings. Nothing happens when it is gone already. */
  async deleteTable(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    if (!this.table) return;
    if (this.table.DeletionProtectionEnabled) {
      throw new AwsRequestError(
        `DeleteTable on the in-memory table '${this.table.TableName}' failed with ValidationException: deletion protection is enabled.`,
        { side: 'target' },
      );
    }
    this.table = undefined;
    this.keyAttributes = [];
    this.data.clear();
    this.timeToLive = { TimeToLiveStatus: 'DISABLED' };
    this.continuousBackups = defaultBackups();
    this.tags = [];
  }

  /** Sink.createTable: the table exists, ACTIVE and empty, as soon as this resolves. */
  async createTable(input: CreateTableCommandInput, signal?: AbortSignal): Promise<TableDescription> {
    if (signal?.aborted) throw signal.reason;
    if (this.table) {
      throw new AwsRequestError(
        `CreateTable on the in-memory table '${this.table.TableName}' failed with ResourceInUseException: the table exists.`,
        { side: 'target' },
      );
    }
    const table = describeCreatedTable(input);
    const keys = keyAttributeNames(table);
    if (keys.length === 0) {
      throw new AwsRequestError(
        `CreateTable of '${input.TableName}' failed with ValidationException: no key schema.`,
        { side: 'target' },
      );
    }
    this.table = table;
    this.keyAttributes = keys;
    this.data.clear();
    return this.description()!;
  }

  /** Sink.applySetting: records the setting, or resolves 'unsupported' for a setting this store lacks. */
  async applySetting(setting: LateSetting, signal?: AbortSignal): Promise<'applied' | Unsupported> {
    if (signal?.aborted) throw signal.reason;
    this.requireTable('target');
    if (this.unsupported.has(setting.kind)) return UNSUPPORTED;
    switch (setting.kind) {
      case 'ttl':
        this.timeToLive = { TimeToLiveStatus: 'ENABLED', AttributeName: setting.attributeName };
        break;
      case 'pitr': {
        const pitr: NonNullable<ContinuousBackupsDescription['PointInTimeRecoveryDescription']> = {
          PointInTimeRecoveryStatus: 'ENABLED',
        };
        if (setting.recoveryPeriodInDays !== undefined)
          pitr.RecoveryPeriodInDays = setting.recoveryPeriodInDays;
        this.continuousBackups = { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: pitr };
        break;
      }
      case 'tags':
        for (const tag of setting.tags) {
          const existing = this.tags.find((t) => t.Key === tag.Key);
          if (existing) existing.Value = tag.Value;
          else this.tags.push({ ...tag });
        }
        break;
    }
    return 'applied';
  }

  private count(segment: number, empty: boolean): void {
    this.counters.pages += 1;
    if (empty) this.counters.emptyPages += 1;
    this.pagesBySegment.set(segment, (this.pagesBySegment.get(segment) ?? 0) + 1);
  }

  private keyAttributesOf(item: Item): Key {
    const key: Key = {};
    for (const name of this.keyAttributes) key[name] = structuredClone(item[name]!);
    return key;
  }

  private requireTable(side: 'source' | 'target'): TableDescription {
    if (!this.table) throw this.notFound(side);
    return this.table;
  }

  private notFound(side: 'source' | 'target'): TableNotFoundError {
    return new TableNotFoundError(`The in-memory ${side} table does not exist.`, { side });
  }

  private checkItem(item: Item, table: TableDescription): void {
    for (const name of this.keyAttributes) {
      const value = item[name];
      if (!value || (value.S === undefined && value.N === undefined && value.B === undefined)) {
        throw validation(table, `the item lacks key attribute '${name}' (or it is not S, N or B)`);
      }
    }
    const size = itemSize(item);
    if (size > MAX_ITEM_BYTES) throw validation(table, `item size ${size} exceeds the 400 KB limit`);
  }

  private checkBatch(items: readonly Item[], table: TableDescription): void {
    if (items.length < 1 || items.length > MAX_BATCH_ITEMS) {
      throw validation(table, `a batch holds 1 to ${MAX_BATCH_ITEMS} items, not ${items.length}`);
    }
    const keys = new Set<string>();
    let bytes = 0;
    for (const item of items) {
      this.checkItem(item, table);
      const key = this.keyOf(item);
      if (keys.has(key)) throw validation(table, 'provided list of item keys contains duplicates');
      keys.add(key);
      bytes += itemSize(item);
    }
    if (bytes > MAX_BATCH_BYTES) throw validation(table, `the batch holds ${bytes} bytes, over 16 MB`);
  }
}

function validation(table: TableDescription, detail: string): AwsRequestError {
  return new AwsRequestError(
    `BatchWriteItem on the in-memory table '${table.TableName}' failed with ValidationException: ${detail}.`,
    { side: 'target' },
  );
}

function defaultBackups(): ContinuousBackupsDescription {
  return {
    ContinuousBackupsStatus: 'ENABLED',
    PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
  };
}

/**
 * The description a CreateTable input leads to, ACTIVE with all indexes. The ARN uses account
 * 000000000000, which `isSameTable` treats like DynamoDB Local's (not unique per store).
 */
export function describeCreatedTable(input: CreateTableCommandInput): TableDescription {
  const name = input.TableName ?? '';
  const onDemand = input.BillingMode === 'PAY_PER_REQUEST';
  const throughput = (given: CreateTableCommandInput['ProvisionedThroughput']) => ({
    ReadCapacityUnits: onDemand ? 0 : (given?.ReadCapacityUnits ?? 0),
    WriteCapacityUnits: onDemand ? 0 : (given?.WriteCapacityUnits ?? 0),
    NumberOfDecreasesToday: 0,
  });
  const table: TableDescription = {
    TableName: name,
    TableArn: `arn:aws:dynamodb:memory:000000000000:table/${name}`,
    TableStatus: 'ACTIVE',
    CreationDateTime: new Date(),
    KeySchema: structuredClone(input.KeySchema ?? []),
    AttributeDefinitions: structuredClone(input.AttributeDefinitions ?? []),
    BillingModeSummary: { BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED' },
    ProvisionedThroughput: throughput(input.ProvisionedThroughput),
    DeletionProtectionEnabled: input.DeletionProtectionEnabled ?? false,
  };
  if (input.GlobalSecondaryIndexes) {
    table.GlobalSecondaryIndexes = input.GlobalSecondaryIndexes.map((index) => ({
      ...structuredClone(index),
      ProvisionedThroughput: throughput(index.ProvisionedThroughput),
      IndexStatus: 'ACTIVE',
    }));
  }
  if (input.LocalSecondaryIndexes) table.LocalSecondaryIndexes = structuredClone(input.LocalSecondaryIndexes);
  if (input.StreamSpecification) table.StreamSpecification = structuredClone(input.StreamSpecification);
  if (input.OnDemandThroughput) table.OnDemandThroughput = structuredClone(input.OnDemandThroughput);
  if (input.TableClass) table.TableClassSummary = { TableClass: input.TableClass };
  if (input.SSESpecification?.Enabled) {
    table.SSEDescription = { Status: 'ENABLED', SSEType: 'KMS' };
    if (input.SSESpecification.KMSMasterKeyId) {
      table.SSEDescription.KMSMasterKeyArn = input.SSESpecification.KMSMasterKeyId;
    }
  }
  return table;
}
