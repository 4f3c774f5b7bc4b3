import type {
  ContinuousBackupsDescription,
  CreateTableCommandInput,
  TableDescription,
  Tag,
  TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';

/**
 * Binary data: bytes, as the AWS SDK returns them, or base64 text, as DynamoDB's JSON carries them.
 * The copy's data path passes the base64 text through untouched; both forms mean the same bytes.
 */
export type Binary = Uint8Array | string;

interface NoValue {
  S?: never;
  N?: never;
  B?: never;
  SS?: never;
  NS?: never;
  BS?: never;
  M?: never;
  L?: never;
  NULL?: never;
  BOOL?: never;
  $unknown?: never;
}

/**
 * One low-level attribute value, exactly one member set. The SDK's AttributeValue, except that binary
 * may be base64 text: numbers stay strings, sets stay sets, nothing is ever unmarshalled.
 */
export type AttributeValue =
  | (Omit<NoValue, 'S'> & { S: string })
  | (Omit<NoValue, 'N'> & { N: string })
  | (Omit<NoValue, 'B'> & { B: Binary })
  | (Omit<NoValue, 'SS'> & { SS: string[] })
  | (Omit<NoValue, 'NS'> & { NS: string[] })
  | (Omit<NoValue, 'BS'> & { BS: Binary[] })
  | (Omit<NoValue, 'M'> & { M: AttributeMap })
  | (Omit<NoValue, 'L'> & { L: AttributeValue[] })
  | (Omit<NoValue, 'NULL'> & { NULL: boolean })
  | (Omit<NoValue, 'BOOL'> & { BOOL: boolean })
  // The SDK's type admits members newer than it knows; ours does too, so SDK items are Items.
  | (Omit<NoValue, '$unknown'> & { $unknown: [string, unknown] });

export interface AttributeMap {
  [name: string]: AttributeValue;
}

/** One item exactly as DynamoDB sends it: low-level attribute values, never unmarshalled. */
export type Item = AttributeMap;
/** The primary-key attributes of an item (also the shape of a LastEvaluatedKey). */
export type Key = Record<string, AttributeValue>;

/** A setting a store may not offer (DynamoDB Local has no tags or PITR). */
export const UNSUPPORTED = 'unsupported' as const;
export type Unsupported = typeof UNSUPPORTED;

/**
 * Everything we know about a table: DescribeTable plus the settings that live behind other APIs.
 * A field is `'unsupported'` when the endpoint does not offer the API that reads it.
 */
export interface TableSnapshot {
  table: TableDescription;
  timeToLive: TimeToLiveDescription | Unsupported;
  continuousBackups: ContinuousBackupsDescription | Unsupported;
  tags: Tag[] | Unsupported;
}

/** One Scan page of one segment. `lastKey` is absent on a segment's final page. */
export interface Page {
  items: Item[];
  lastKey: Key | undefined;
  /** Read capacity units the page consumed, as the store reported it (0 where it does not). */
  consumedRead: number;
}

export interface ScanOptions {
  segment: number;
  totalSegments: number;
  /** Resume after this key (a LastEvaluatedKey from an earlier page). */
  startKey?: Key;
  /** Items per page at most; keeps DynamoDB Local's per-page cost low. */
  limit?: number;
  consistentRead?: boolean;
  signal?: AbortSignal;
}

/** What a store can do, as data: the engine branches on this, never on the store's class. */
export interface Capabilities {
  parallelScan: boolean;
  schema: boolean;
  consistentRead: boolean;
  /**
   * Its items come from DynamoDB itself, so they are known to fit (at most 400 KB, key attributes of
   * the right types). Items from elsewhere (a file, a test double) are checked before they are written.
   */
  validItems: boolean;
}

/** Where items come from. Implementations never write. */
export interface Source {
  readonly capabilities: Capabilities;
  /**
   * Describes the table. Throws a typed error (e.g. TableNotFoundError) when it cannot.
   * Settings named in `skip` are not read (so a role without that permission still works).
   */
  describe(skip?: ReadonlySet<string>): Promise<TableSnapshot>;
  /** Yields the pages of one segment in order; pages of distinct segments are disjoint. */
  scan(options: ScanOptions): AsyncIterable<Page>;
}

export interface WriteResult {
  /** Write capacity units consumed by this batch, summed over every attempt. */
  consumedWrite: number;
  /** True when any attempt was throttled (fully or by UnprocessedItems): the pacer slows down. */
  throttled: boolean;
}

/** Why a store retried a request; the run's counters and the pacer listen. */
export type RetryReason = 'unprocessedItems' | 'throttled' | 'errors' | 'expiredCredentials';
export type RetryListener = (reason: RetryReason) => void;

/** Where items go, and the control plane of the target table. */
export interface Sink {
  readonly capabilities: Capabilities;
  /** The target table as it is now, or undefined when it does not exist. */
  describe(): Promise<TableDescription | undefined>;
  /** Deletes the table and returns once it is gone. */
  deleteTable(signal?: AbortSignal): Promise<void>;
  /** Creates the table and returns once it and all its indexes are ACTIVE. */
  createTable(input: CreateTableCommandInput, signal?: AbortSignal): Promise<TableDescription>;
  /** Applies one setting CreateTable cannot take. Resolves `'unsupported'` when the endpoint lacks the API. */
  applySetting(setting: LateSetting, signal?: AbortSignal): Promise<'applied' | Unsupported>;
  /**
   * Writes every item of the batch (at most 25 items, 16 MB, no repeated key) or throws.
   * Retries unprocessed items, throttling and transient errors itself with capped backoff;
   * throws a typed error once its retry budget is spent. Never resolves with an item unwritten.
   * `segment` is the scan segment every item of the batch came from (the engine never mixes
   * segments in a batch); a store may group its output by it (the export writes a file per segment).
   */
  writeBatch(items: Item[], signal?: AbortSignal, segment?: number): Promise<WriteResult>;
}

/** A setting applied after the table is ACTIVE, because CreateTable does not accept it. */
export type LateSetting =
  | { kind: 'ttl'; attributeName: string }
  | { kind: 'pitr'; recoveryPeriodInDays?: number }
  | { kind: 'tags'; tags: Tag[] };

export type LateSettingKind = LateSetting['kind'];
