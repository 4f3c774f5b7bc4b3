/**
 * A fake DynamoDB Streams source and a fake target table, in memory, for the follow engine's tests.
 *
 * This FAKES DynamoDB Streams. It exists because DynamoDB Local cannot produce what the engine must
 * handle: Local keeps one shard per stream and never splits it, trims records only after its SQLite
 * file is backdated by hand, and lets an iterator expire only after 15 real minutes. Here a test
 * declares shards with lineage (a parent and its children, open or closed), the records of each,
 * the page size, empty pages before a shard's first record, children listed only from a later
 * DescribeStream, shards that drop out of the listing (aged out), records trimmed from a shard's
 * start, and an iterator that expires once at a chosen record. What it does not model: the 1 MB
 * page cap, throttling, and records arriving while a shard is read (each shard's records are fixed).
 *
 * The stream and the table log what they do, in order, into one shared `events` list, so a test can
 * assert what happened before what (a child's first read after its parent's last write).
 */
import { StreamGapError, StreamIteratorExpiredError } from '../../src/errors.js';
import type { Item, Key } from '../../src/model/item.js';
import { keyString } from '../../src/model/item-key.js';
import {
  type ChangePage,
  type ChangeRecord,
  compareSequenceNumbers,
  type ShardPosition,
  type StreamDescription,
  type StreamViewType,
} from '../../src/model/stream.js';
import type { ChangeSource, ChangeWrite, Sink, WriteResult } from '../../src/stores/types.js';

/** A 21-digit sequence number, as DynamoDB Local gives them. */
export const seq = (n: number): string => String(n).padStart(21, '0');

export interface FakeShard {
  shardId: string;
  parentShardId?: string;
  /** Closed: listed with an ending sequence number, and its last page comes without a next iterator. */
  closed: boolean;
  records: ChangeRecord[];
  /** Empty pages a reader from TRIM_HORIZON gets before the first record ("an empty page is not the end"). */
  emptyPagesBefore?: number;
  /** The first DescribeStream (1-based) that lists the shard: a child listed late. Default 1. */
  listedFrom?: number;
  /** The first DescribeStream that no longer lists the shard: it aged out. */
  goneFrom?: number;
  /** Records before this index aged out: TRIM_HORIZON starts here, a position before it is a gap. */
  trimmedBefore?: number;
}

interface IteratorState {
  shardId: string;
  /** Index of the next record. */
  offset: number;
  /** Empty pages still to give before the records. */
  emptyLeft: number;
}

export interface FakeStreamOptions {
  pageSize: number;
  viewType?: StreamViewType;
  status?: StreamDescription['status'];
  /** Shared with a FakeTable: one timeline of reads and writes. */
  events?: string[];
  /** The source table's items now, by keyString: what getItem answers. */
  items?: Map<string, Item>;
  keyAttributes?: readonly string[];
}

/** The position as a test reads it: `trim-horizon`, `after <seq>`, `at <seq>`. */
export function positionText(position: ShardPosition): string {
  return position.at === 'trim-horizon' ? 'trim-horizon' : `${position.at} ${position.sequenceNumber}`;
}

export class FakeStream implements ChangeSource {
  readonly events: string[];
  /** DescribeStream calls so far. */
  describes = 0;
  /** Every iterator asked for, in order. */
  readonly positions: { shardId: string; position: string }[] = [];
  /** Records served per shard (re-reads included). */
  readonly served = new Map<string, number>();
  /** Iterators that expired (thrown StreamIteratorExpiredError). */
  expired = 0;
  private readonly shards: Map<string, FakeShard>;
  private readonly iterators = new Map<string, IteratorState>();
  private issued = 0;
  private readonly expiries: { shardId: string; offset: number }[] = [];

  constructor(
    shards: readonly FakeShard[],
    private readonly options: FakeStreamOptions,
  ) {
    this.shards = new Map(shards.map((shard) => [shard.shardId, shard]));
    this.events = options.events ?? [];
  }

  /** The next read of `shardId` positioned at record index `offset` throws StreamIteratorExpiredError, once. */
  expireOnce(shardId: string, offset: number): void {
    this.expiries.push({ shardId, offset });
  }

  async describeStream(signal?: AbortSignal): Promise<StreamDescription> {
    await turn(signal);
    this.describes += 1;
    const n = this.describes;
    const listed = [...this.shards.values()].filter(
      (shard) => (shard.listedFrom ?? 1) <= n && (shard.goneFrom === undefined || n < shard.goneFrom),
    );
    this.events.push(`describe ${listed.map((shard) => shard.shardId).join(',')}`);
    return {
      streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/fake/stream/2024-01-01T00:00:00.000',
      status: this.options.status ?? 'ENABLED',
      viewType: this.options.viewType ?? 'NEW_IMAGE',
      shards: listed.map((shard) => ({
        shardId: shard.shardId,
        ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
        startingSequenceNumber: shard.records[0]?.sequenceNumber ?? seq(0),
        ...(shard.closed
          ? { endingSequenceNumber: shard.records[shard.records.length - 1]?.sequenceNumber ?? seq(0) }
          : {}),
      })),
    };
  }

  async shardIterator(shardId: string, position: ShardPosition, signal?: AbortSignal): Promise<string> {
    await turn(signal);
    const shard = this.shard(shardId);
    const text = positionText(position);
    this.positions.push({ shardId, position: text });
    this.events.push(`iterator ${shardId} ${text}`);
    const trimmed = shard.trimmedBefore ?? 0;
    if (position.at === 'trim-horizon') {
      return this.issue({ shardId, offset: trimmed, emptyLeft: shard.emptyPagesBefore ?? 0 });
    }
    const index = shard.records.findIndex(
      (record) => compareSequenceNumbers(record.sequenceNumber, position.sequenceNumber) === 0,
    );
    if (index < 0) throw new Error(`fake stream: ${shardId} has no record ${position.sequenceNumber}`);
    if (index < trimmed) {
      throw new StreamGapError(`fake stream: ${text} in ${shardId} has aged out`, { side: 'source' });
    }
    return this.issue({ shardId, offset: position.at === 'after' ? index + 1 : index, emptyLeft: 0 });
  }

  async readChanges(iterator: string, signal?: AbortSignal): Promise<ChangePage> {
    await turn(signal);
    const state = this.iterators.get(iterator);
    if (!state) throw new Error(`fake stream: unknown iterator ${iterator}`);
    const shard = this.shard(state.shardId);
    const expiry = this.expiries.findIndex((e) => e.shardId === state.shardId && e.offset === state.offset);
    if (expiry >= 0 && state.emptyLeft === 0) {
      this.expiries.splice(expiry, 1);
      this.expired += 1;
      this.events.push(`expired ${state.shardId} ${state.offset}`);
      throw new StreamIteratorExpiredError(`fake stream: iterator ${iterator} expired`, { side: 'source' });
    }
    if (state.emptyLeft > 0) {
      this.events.push(`read ${state.shardId} ${state.offset} empty`);
      return { records: [], next: this.issue({ ...state, emptyLeft: state.emptyLeft - 1 }) };
    }
    const records = shard.records.slice(state.offset, state.offset + this.options.pageSize);
    const end = state.offset + records.length;
    this.served.set(state.shardId, (this.served.get(state.shardId) ?? 0) + records.length);
    this.events.push(`read ${state.shardId} ${state.offset} ${records.length}`);
    const next =
      shard.closed && end >= shard.records.length
        ? undefined
        : this.issue({ shardId: state.shardId, offset: end, emptyLeft: 0 });
    return { records, next };
  }

  async getItem(key: Key, signal?: AbortSignal): Promise<Item | undefined> {
    await turn(signal);
    return this.options.items?.get(keyString(key, this.options.keyAttributes ?? Object.keys(key)));
  }

  private issue(state: IteratorState): string {
    const id = `it-${++this.issued}-${state.shardId}-${state.offset}`;
    this.iterators.set(id, state);
    return id;
  }

  private shard(shardId: string): FakeShard {
    const shard = this.shards.get(shardId);
    if (!shard) throw new Error(`fake stream: no shard ${shardId}`);
    return shard;
  }
}

/** One applied write, in the order the table applied it. */
export interface AppliedWrite {
  key: string;
  /** The item put, or undefined for a delete. */
  put?: Item | undefined;
}

export interface FakeTableOptions {
  keyAttributes: readonly string[];
  events?: string[];
  /** Each request takes this long (a timer; per batch when a function); a request in flight completes even when aborted. */
  delayMs?: number | ((batch: readonly ChangeWrite[]) => number);
  /** Fails a request (nothing of it applied) when this returns an error. */
  fail?: (batch: readonly ChangeWrite[]) => Error | undefined;
  /** Called after each applied request. */
  afterWrite?: (batch: readonly ChangeWrite[]) => void;
}

/**
 * A target table with BatchWriteItem's rules: at most 25 requests, never a key twice in one request.
 * Applies puts and deletes to a Map and logs each, in order.
 */
export class FakeTable implements Pick<Sink, 'writeChanges'> {
  readonly items = new Map<string, Item>();
  readonly log: AppliedWrite[] = [];
  readonly events: string[];
  requests = 0;
  inFlight = 0;

  constructor(private readonly options: FakeTableOptions) {
    this.events = options.events ?? [];
  }

  async writeChanges(changes: readonly ChangeWrite[], _signal?: AbortSignal): Promise<WriteResult> {
    this.inFlight += 1;
    try {
      const { delayMs } = this.options;
      const delay = typeof delayMs === 'function' ? delayMs(changes) : delayMs;
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      else await turn();
      if (changes.length === 0 || changes.length > 25) {
        throw new Error(`fake table: BatchWriteItem takes 1 to 25 requests, not ${changes.length}`);
      }
      const keys = changes.map((change) => this.keyOf(change));
      if (new Set(keys).size !== keys.length) {
        throw new Error('fake table: Provided list of item keys contains duplicates');
      }
      const failure = this.options.fail?.(changes);
      if (failure) throw failure;
      this.requests += 1;
      changes.forEach((change, i) => {
        const key = keys[i]!;
        if (change.put) this.items.set(key, change.put);
        else this.items.delete(key);
        this.log.push({ key, put: change.put });
        this.events.push(change.put ? `put ${key} ${change.put.v?.S ?? ''}` : `delete ${key}`);
      });
      this.options.afterWrite?.(changes);
      return { consumedWrite: changes.length, throttled: false };
    } finally {
      this.inFlight -= 1;
    }
  }

  /** The values each key was given, in the order they were applied ('deleted' for a delete). */
  history(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const write of this.log) {
      const list = out.get(write.key) ?? [];
      list.push(write.put ? (write.put.v?.S ?? '?') : 'deleted');
      out.set(write.key, list);
    }
    return out;
  }

  private keyOf(change: ChangeWrite): string {
    return keyString(change.put ?? change.delete!, this.options.keyAttributes);
  }
}

/** A macrotask turn: the fake answers later, like a network call, and honours the signal. */
function turn(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve()));
  });
}
