/**
 * Which shards of a stream a follow reads, and when: a pure planner over what DescribeStream lists
 * and what the run has recorded. The rule that keeps every key's changes in order is lineage: a
 * key's records move from a parent shard to a child only when the parent closes (a partition split
 * or a roll-over), so a child is read only once its parent has been read to its end. Shards of one
 * generation hold disjoint keys and are read in parallel.
 */
import type { ShardPosition, StreamDescription, StreamShard } from '../../model/stream.js';

/** What a run records of one shard. */
export interface ShardProgress {
  shardId: string;
  parentShardId?: string | undefined;
  /** The last record applied (or skipped as older than the follow's start); absent: none yet. */
  after?: string | undefined;
  /** Read to its end (or closed before the follow's start): its children may be read. */
  done: boolean;
}

export interface LineagePlan {
  /** Shards listed now that the record did not know: new children. Added as not started. */
  added: ShardProgress[];
  /** Shards to start reading now, in listing order, with where to start. */
  start: { shardId: string; position: ShardPosition }[];
  /** Shards the follow still needs that the stream no longer lists: their records aged out. */
  gone: string[];
  /** Finished shards the stream no longer lists: the record can forget them. */
  forget: string[];
}

/**
 * Plans one round: given the stream's shards now, what the run knows of each shard, and the shards
 * being read, which shards to add, start, and report as gone.
 *
 * A shard not done and not being read starts when its parent is done, or when its parent is neither
 * known to the run nor listed (it closed before the follow's start, or aged out after being read).
 * It starts after its last applied record, else at its oldest record (TRIM_HORIZON).
 */
export function planShards(
  stream: Pick<StreamDescription, 'shards'>,
  known: ReadonlyMap<string, ShardProgress>,
  reading: ReadonlySet<string>,
): LineagePlan {
  const listed = new Map<string, StreamShard>(stream.shards.map((shard) => [shard.shardId, shard]));
  const added: ShardProgress[] = [];
  const progress = new Map(known);
  for (const shard of stream.shards) {
    if (progress.has(shard.shardId)) continue;
    const entry: ShardProgress = {
      shardId: shard.shardId,
      ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
      done: false,
    };
    added.push(entry);
    progress.set(shard.shardId, entry);
  }
  const gone: string[] = [];
  const forget: string[] = [];
  for (const entry of known.values()) {
    if (listed.has(entry.shardId)) continue;
    if (entry.done) forget.push(entry.shardId);
    else gone.push(entry.shardId);
  }
  const start: LineagePlan['start'] = [];
  // Listing order first (parents usually come before their children), then anything only recorded.
  const candidates = [
    ...stream.shards.map((shard) => shard.shardId),
    ...[...known.keys()].filter((id) => !listed.has(id)),
  ];
  for (const shardId of candidates) {
    const entry = progress.get(shardId)!;
    if (entry.done || reading.has(shardId) || gone.includes(shardId)) continue;
    if (!parentFinished(entry, progress)) continue;
    start.push({
      shardId,
      position: entry.after ? { at: 'after', sequenceNumber: entry.after } : { at: 'trim-horizon' },
    });
  }
  return { added, start, gone, forget };
}

/** True when nothing of the parent remains to be read first. */
function parentFinished(entry: ShardProgress, progress: ReadonlyMap<string, ShardProgress>): boolean {
  if (!entry.parentShardId) return true;
  const parent = progress.get(entry.parentShardId);
  // Unknown and unlisted: it ended before the follow's start, or was read and has aged out since.
  return parent === undefined || parent.done;
}

/**
 * Where a follow that starts now stands: the shards open now are read from their oldest record
 * (`skipBefore` drops what the copy already saw); the shards closed now hold only older changes and
 * count as done. With `everything` (`follow --from trim-horizon` or a time), every listed shard is
 * read, parents first.
 */
export function startingShards(
  stream: Pick<StreamDescription, 'shards'>,
  everything: boolean,
): ShardProgress[] {
  return stream.shards.map((shard) => ({
    shardId: shard.shardId,
    ...(shard.parentShardId ? { parentShardId: shard.parentShardId } : {}),
    done: !everything && shard.endingSequenceNumber !== undefined,
  }));
}
