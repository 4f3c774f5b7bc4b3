import type { AttributeValue, Item, Key } from '../model/item.js';
import type { SideIdentity } from '../model/side-identity.js';
import type { ChangePage, ShardPosition, StreamDescription } from '../model/stream.js';
import type {
  CreateTableCommandInput,
  LateSetting,
  TableDescription,
  TableSnapshot,
  Unsupported,
} from '../model/table.js';
import type { TableIdentity, TableLocation } from '../model/table-location.js';
import type { TextItem } from '../model/text-item.js';

// The data model the contract speaks in, re-exported so a store needs one import for its contract.
export type { AttributeMap, AttributeValue, Binary, Item, Key } from '../model/item.js';
export type { SideIdentity } from '../model/side-identity.js';
export {
  type ChangePage,
  type ChangeRecord,
  compareSequenceNumbers,
  type ShardPosition,
  type StreamDescription,
  type StreamShard,
  type StreamViewType,
} from '../model/stream.js';
export {
  type LateSetting,
  type LateSettingKind,
  type TableSnapshot,
  UNSUPPORTED,
  type Unsupported,
} from '../model/table.js';
export type { TableIdentity, TableLocation } from '../model/table-location.js';
export { TextItem, textItemKey } from '../model/text-item.js';

/** One Scan page of one segment. `lastKey` is absent on a segment's final page. */
export interface Page {
  items: Item[];
  /** Items the store read for this page before a filter dropped some (DynamoDB's ScannedCount). */
  scanned?: number;
  lastKey: Key | undefined;
  /** Read capacity units the page consumed, as the store reported it (0 where it does not). */
  consumedRead: number;
}

/**
 * One Scan page whose items are text (model/text-item.ts), for a copy that changes nothing:
 * Source.scanText yields these. `lastKey` is absent on a segment's final page.
 */
export interface TextPage {
  texts: TextItem[];
  /** Items the store read for this page before a filter dropped some (DynamoDB's ScannedCount). */
  scanned?: number;
  lastKey: Key | undefined;
  /** Read capacity units the page consumed, as the store reported it (0 where it does not). */
  consumedRead: number;
}

/** Which part of a table one scan reads (a segment of a parallel scan), from where, and how. */
export interface ScanOptions {
  segment: number;
  totalSegments: number;
  /** Resume after this key (a LastEvaluatedKey from an earlier page). */
  startKey?: Key;
  /** Items per page at most; keeps DynamoDB Local's per-page cost low. */
  limit?: number;
  consistentRead?: boolean;
  /** Only items matching this condition are returned (DynamoDB's FilterExpression: read, then dropped). */
  filter?: ScanFilter | undefined;
  /**
   * Only these attributes are needed (a ProjectionExpression on DynamoDB, e.g. the key attributes);
   * a store without projections returns whole items.
   */
  attributes?: readonly string[] | undefined;
  signal?: AbortSignal;
}

/** A Scan's FilterExpression with its placeholders, in the AWS CLI's names and formats. */
export interface ScanFilter {
  expression: string;
  names?: Readonly<Record<string, string>>;
  values?: Readonly<Record<string, AttributeValue>>;
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
  /** Scans take a `filter` (a FilterExpression); absent: they do not. */
  filter?: boolean;
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
  /**
   * As `scan`, but each page's items come as text with their keys (`keyAttributes`, in key schema
   * order), never as objects: for a copy that changes nothing, into a sink with `writeTexts`. A page
   * the store cannot read as text comes as items. Only stores that read text (DynamoDB) have it.
   */
  scanText?(options: ScanOptions, keyAttributes: readonly string[]): AsyncIterable<Page | TextPage>;
}

/**
 * A table's change stream (DynamoDB Streams), read only. Shards are read one reader each, pages in
 * order; the follow engine decides which shard to read when (parents before children).
 */
export interface ChangeSource {
  /** The stream's status, view type and every shard (all DescribeStream pages). */
  describeStream(signal?: AbortSignal): Promise<StreamDescription>;
  /**
   * An iterator for reading `shardId` from `position`; it expires after 15 minutes. Throws
   * StreamGapError when the position has aged out of the stream's 24-hour retention.
   */
  shardIterator(shardId: string, position: ShardPosition, signal?: AbortSignal): Promise<string>;
  /**
   * One page of records (at most 1000). Throws StreamIteratorExpiredError when the iterator has
   * expired: the reader opens a new one after the last record it applied. Retries throttling itself.
   */
  readChanges(iterator: string, signal?: AbortSignal): Promise<ChangePage>;
  /** The item as it is now (a strongly consistent GetItem), or undefined when it does not exist. */
  getItem(key: Key, signal?: AbortSignal): Promise<Item | undefined>;
}

/** One write of a change: the item put whole, or the key deleted. */
export type ChangeWrite = { put: Item; delete?: never } | { delete: Key; put?: never };

/** What a written batch cost, for the run's capacity counters and the pacer. */
export interface WriteResult {
  /** Write capacity units consumed by this batch, summed over every attempt. */
  consumedWrite: number;
  /** True when any attempt was throttled (fully or by UnprocessedItems): the pacer slows down. */
  throttled: boolean;
}

/** Why a store retried a request; the run's counters and the pacer listen. */
export type RetryReason = 'unprocessedItems' | 'throttled' | 'errors' | 'expiredCredentials';
/** Told each time a store retries a request, with the reason. */
export type RetryListener = (reason: RetryReason) => void;

/** Where items go, and the control plane of the target table. */
export interface Sink {
  readonly capabilities: Capabilities;
  /** The target table as it is now, or undefined when it does not exist. */
  describe(): Promise<TableDescription | undefined>;
  /**
   * Deletes the table and returns once it is gone. `onAccepted` runs once the store has accepted the
   * deletion: from then on the old table is going, whatever happens next.
   */
  deleteTable(signal?: AbortSignal, onAccepted?: () => void): Promise<void>;
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
  /**
   * writeBatch for items as text (Source.scanText's pages), with the same limits and guarantees: each
   * item goes out as exactly its text. Only stores that write DynamoDB's JSON have it.
   */
  writeTexts?(items: readonly TextItem[], signal?: AbortSignal, segment?: number): Promise<WriteResult>;
  /**
   * Writes puts and deletes in one request (at most 25, no key twice), with writeBatch's retries and
   * guarantees. Only stores that can delete (a table) have it: a follow needs it.
   */
  writeChanges?(changes: readonly ChangeWrite[], signal?: AbortSignal): Promise<WriteResult>;
}

/** Credentials another store may sign with (an s3:// export signs with its DynamoDB side's identity). */
export interface SigningIdentity {
  readonly side: 'source' | 'target';
  readonly region: string;
  readonly credentials: {
    /** The side's current credentials, refreshed by the provider before they expire. */
    provide: () => Promise<{
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
      expiration?: Date;
    }>;
  };
}

/**
 * What a run knows of a store it opened, besides reading or writing it: where the table is, what the
 * user should be told about the connection, and how to let its sockets go.
 */
export interface StoreEnd {
  readonly identity: TableIdentity;
  /** The table's name as the user gave it (for messages). */
  readonly tableName: string;
  /** Things the user should know about this side's setup (long-term keys). */
  readonly warnings: readonly string[];
  /** Where the table is and as whom, for telling source and target apart. */
  locate(tableArn: string | undefined): Promise<TableLocation>;
  /**
   * Who the side acts as, for the user to check before anything is deleted: the account and caller
   * (asked once; absent with the reason when not known: a local endpoint, STS unreachable), the
   * profile or role, the region. Never throws.
   */
  whoAmI(): Promise<SideIdentity>;
  /** The credentials another store of the same side signs with. */
  readonly signer: SigningIdentity;
  /** Closes the store's sockets; keep-alive sockets would otherwise hold the process open. */
  close(): void;
}
