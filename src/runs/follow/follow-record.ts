/**
 * What a run record keeps of a follow: which stream, since when, and per shard the last record
 * applied. A resumed follow opens each shard just after that record; a record made for another
 * stream (the table was re-created, the stream re-enabled) cannot be continued.
 */

import type { ShardProgress } from '../../engine/follow/shard-lineage.js';
import { StreamGapError } from '../../errors.js';
import type { StreamViewType } from '../../model/stream.js';

/**
 * The follow's part of a run record: which stream, from when, and how far each shard was applied, so
 * that `resume` continues after the last change applied.
 */
export interface FollowRecordPart {
  streamArn: string;
  viewType: StreamViewType;
  /** When the stream's position was taken: before the copy's scan began (or the follow's start). */
  startedAt: string;
  /** Records created before this time are skipped (the copy already holds their effect); null: none are. */
  skipBefore: string | null;
  shards: StoredShard[];
  /** Counters summed over every run of this record. */
  totals: { records: number; puts: number; deletes: number };
  /** The last run ended caught up (--until-caught-up); otherwise the follow is unfinished. */
  caughtUp?: boolean;
}

/** One shard's place in the record: the last record applied, and whether it was read to its end. */
export interface StoredShard {
  shardId: string;
  parentShardId: string | null;
  /** The last record applied, or null when none yet. */
  after: string | null;
  done: boolean;
}

/**
 * The part a new follow starts with. `shards` comes from `startingShards`; `skipBefore` is the time
 * before which records are already in the copy (the scan's start less a margin), or `--from`.
 */
export function newFollowPart(
  stream: { streamArn: string; viewType: StreamViewType },
  shards: readonly ShardProgress[],
  startedAt: Date,
  skipBefore: Date | undefined,
): FollowRecordPart {
  return {
    streamArn: stream.streamArn,
    viewType: stream.viewType,
    startedAt: startedAt.toISOString(),
    skipBefore: skipBefore ? skipBefore.toISOString() : null,
    shards: storeShards(shards),
    totals: { records: 0, puts: 0, deletes: 0 },
  };
}

export function storeShards(shards: readonly ShardProgress[]): StoredShard[] {
  return shards.map((shard) => ({
    shardId: shard.shardId,
    parentShardId: shard.parentShardId ?? null,
    after: shard.after ?? null,
    done: shard.done,
  }));
}

export function shardsOf(part: FollowRecordPart): ShardProgress[] {
  return part.shards.map((shard) => ({
    shardId: shard.shardId,
    ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
    ...(shard.after ? { after: shard.after } : {}),
    done: shard.done,
  }));
}

/**
 * Refuses to continue a follow on another stream than the recorded one: its positions mean nothing
 * there, and the changes between the two streams are lost.
 */
export function checkSameStream(part: FollowRecordPart, current: string | undefined, table: string): void {
  if (current === part.streamArn) return;
  throw new StreamGapError(
    `The run record follows the stream ${part.streamArn}, but the source table '${table}' now has ${current ? `the stream ${current}` : 'no stream'}: the table was re-created or its stream disabled and enabled again, so changes in between are lost.`,
    {
      side: 'source',
      hint: 'Copy the table again from the start (--restart, with --follow).',
    },
  );
}

/** Throws (saying what is wrong) unless `part` has the shape a follow's record part must have. */
export function checkFollowPart(part: FollowRecordPart): void {
  const isText = (value: unknown): value is string => typeof value === 'string';
  const isSequence = (value: unknown): boolean => isText(value) && /^\d{1,40}$/.test(value);
  if (typeof part !== 'object' || part === null) throw new Error('follow state is not an object');
  if (!isText(part.streamArn) || !isText(part.startedAt)) throw new Error('follow stream is missing');
  if (part.skipBefore !== null && !isText(part.skipBefore)) throw new Error('follow start is malformed');
  if (!Array.isArray(part.shards)) throw new Error('follow shard list is malformed');
  for (const shard of part.shards) {
    if (!isText(shard?.shardId) || typeof shard.done !== 'boolean')
      throw new Error('a follow shard is malformed');
    if (shard.after !== null && !isSequence(shard.after)) {
      throw new Error(`shard ${shard.shardId} has a malformed position`);
    }
  }
  if (part.caughtUp !== undefined && typeof part.caughtUp !== 'boolean')
    throw new Error('follow state is malformed');
  const totals = part.totals;
  if (!totals || ![totals.records, totals.puts, totals.deletes].every(Number.isInteger)) {
    throw new Error('follow totals are malformed');
  }
}
