/**
 * A table's change stream as data: shards with their lineage, and the records in them. Pure: the
 * stores read streams into these shapes, the planners and the follow engine reason over them.
 */
import type { Item, Key } from './item.js';

/** What a stream record carries besides the keys (DynamoDB's StreamViewType). */
export type StreamViewType = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

/** One shard: a run of records of some partitions. A shard is open until it has an ending number. */
export interface StreamShard {
  shardId: string;
  /** The shard this one continues (a split or a roll-over); its records come first. */
  parentShardId?: string | undefined;
  startingSequenceNumber: string;
  /** Set once the shard is closed: no record will be added after it. */
  endingSequenceNumber?: string | undefined;
}

/** A table's stream as a follow needs it: its ARN, status, view type and every shard. */
export interface StreamDescription {
  streamArn: string;
  status: 'ENABLING' | 'ENABLED' | 'DISABLING' | 'DISABLED';
  viewType: StreamViewType;
  /** Every shard the stream still holds (trimmed shards are gone from the list), all pages joined. */
  shards: StreamShard[];
}

/** One change to one item, in the order the stream gives it. */
export interface ChangeRecord {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** 21 to 40 digits: compare with `compareSequenceNumbers`, never as text or as a JS number. */
  sequenceNumber: string;
  /** ApproximateCreationDateTime in ms (rounded down: to the second on AWS, to the minute in DynamoDB Local). */
  createdAt: number;
  keys: Key;
  /** With NEW_IMAGE or NEW_AND_OLD_IMAGES, on INSERT and MODIFY. */
  newImage?: Item | undefined;
  /** With OLD_IMAGE or NEW_AND_OLD_IMAGES, on MODIFY and REMOVE. */
  oldImage?: Item | undefined;
  /** Deleted by DynamoDB's time to live, not by a writer. */
  byTtl?: boolean | undefined;
}

/** Where reading a shard starts. */
export type ShardPosition =
  /** The oldest record the shard still holds. */
  | { at: 'trim-horizon' }
  /** At this record: refused (a gap) when it has aged out of the stream. */
  | { at: 'sequence'; sequenceNumber: string }
  /** Just after this record (the last one applied): refused (a gap) when it has aged out. */
  | { at: 'after'; sequenceNumber: string };

/** One GetRecords page. `next` is undefined once a closed shard has been read to its end. */
export interface ChangePage {
  records: ChangeRecord[];
  next: string | undefined;
}

/** Orders two sequence numbers (they have up to 40 digits: more than a JS number holds). */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
