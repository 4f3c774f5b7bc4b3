/**
 * The follow step both `copy --follow` and `follow` run: where the stream stands before a copy, and
 * applying its changes to the target from there, saving each shard's position as it goes.
 */
import type { ItemStage } from '../../engine/copy/item-stage.js';
import { followStream } from '../../engine/follow/follow-stream.js';
import { startingShards } from '../../engine/follow/shard-lineage.js';
import { StreamGapError } from '../../errors.js';
import type { StreamToFollow } from '../../plan/follow-plan.js';
import { FollowStats } from '../../runtime/follow-stats.js';
import type { Pacer } from '../../runtime/pacer.js';
import type { Slots } from '../../runtime/slots.js';
import type { ChangeSource, Sink } from '../../stores/types.js';
import { type FollowRecordPart, newFollowPart, shardsOf, storeShards } from './follow-record.js';

/**
 * How long before the scan's start a record may have been created and still be missing from the
 * scan: a scan reads eventually consistent (unless --consistent-read), and creation times are rounded
 * down (to the second on AWS, to the minute in DynamoDB Local). Records older than that are skipped.
 */
export const SKIP_MARGIN_MS = 5 * 60_000;

/**
 * Where the stream stands now, taken before a copy's scan begins: the shards open now are read from
 * their oldest record, skipping what is older than the scan (less the margin); closed ones hold only
 * older changes. `from` (the `follow` command) reads every shard, from a time or from the oldest record.
 */
export async function takeStreamPosition(
  changes: ChangeSource,
  stream: StreamToFollow,
  from: 'scan' | 'trim-horizon' | Date,
  signal?: AbortSignal,
): Promise<FollowRecordPart> {
  const now = new Date();
  const described = await changes.describeStream(signal);
  const everything = from !== 'scan';
  const skipBefore =
    from === 'scan' ? new Date(now.getTime() - SKIP_MARGIN_MS) : from === 'trim-horizon' ? undefined : from;
  return newFollowPart(stream, startingShards(described, everything), now, skipBefore);
}

/** The stream keeps records this long; a copy and its catch-up must end within it. */
const STREAM_RETENTION_MS = 24 * 3_600_000;
/** Halfway there, the user is told: early enough to act (more segments, a higher rate). */
const RETENTION_WARNING_AFTER_MS = 12 * 3_600_000;

/**
 * Warns once, while a copy still scans, when its stream position is 12 hours old: past 24 the changes
 * since the scan began are gone and the copy must be redone. Returns the cancel of the timer.
 */
export function warnBeforeRetention(
  part: Pick<FollowRecordPart, 'startedAt'>,
  warn: (message: string) => void,
  now = Date.now(),
): () => void {
  const startedAt = Date.parse(part.startedAt);
  const deadline = new Date(startedAt + STREAM_RETENTION_MS);
  const say = (): void =>
    warn(
      `The copy began ${Math.floor((Date.now() - startedAt) / 3_600_000)} hours ago. The stream keeps changes for 24 hours: the copy and its catch-up must be done by ${deadline.toISOString()}, or the follow will find a gap and the copy must be redone. To finish sooner: more --segments, a higher --read-rate/--write-rate.`,
    );
  const delay = startedAt + RETENTION_WARNING_AFTER_MS - now;
  if (delay <= 0) {
    say();
    return () => {};
  }
  const timer = setTimeout(say, delay);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Refuses to follow when changes it needs have aged out: a shard still to be read from its oldest
 * record, while the follow needs records from before the stream's 24 hours (the scan's start, or
 * --from). Positions after an applied record are checked by the stream itself (TrimmedDataAccess).
 */
export function checkRetention(part: FollowRecordPart, now = Date.now()): void {
  if (!part.skipBefore) return;
  const needsFrom = Date.parse(part.skipBefore);
  const fromStart = part.shards.some((shard) => !shard.done && shard.after === null);
  if (!fromStart || now - needsFrom < STREAM_RETENTION_MS) return;
  throw new StreamGapError(
    `The follow needs the changes made since ${part.skipBefore}, more than 24 hours ago: the stream no longer holds them all.`,
    {
      side: 'source',
      hint: 'The stream keeps changes for 24 hours. Copy the table again (--restart, with --follow), so that the copy and its catch-up end within them.',
    },
  );
}

/** What the `--json` summary says of a follow. */
export interface FollowSummary {
  /** `caught-up`: --until-caught-up was reached; `interrupted`: stopped by Ctrl-C (--resume continues). */
  status: 'caught-up' | 'interrupted' | 'failed';
  streamArn: string;
  /** Stream records read in this run (skipped ones included), and the writes they came to. */
  records: number;
  skipped: number;
  puts: number;
  deletes: number;
  /** Seconds behind the source when the follow ended (0 at its tip). */
  lagSeconds: number;
  /** Shards the run knows: read to their end, and in all. */
  shards: { done: number; total: number };
  consumedWrite: number;
}

export interface FollowContext {
  changes: ChangeSource;
  sink: Pick<Sink, 'writeChanges'>;
  part: FollowRecordPart;
  keyAttributes: readonly string[];
  stage?: ItemStage | undefined;
  keysChange: boolean;
  untilCaughtUp: boolean;
  writeConcurrency: number;
  writePacer: Pacer;
  writeSlots?: Slots | undefined;
  signal?: AbortSignal | undefined;
  stats: FollowStats;
  /** The part after every applied page, for the run record. */
  save: (part: FollowRecordPart) => void;
  onWarning: (message: string) => void;
}

/** Applies the stream's changes from the part's positions; resolves when caught up or interrupted. */
export async function followChanges(
  context: FollowContext,
): Promise<{ status: 'caught-up' | 'interrupted'; part: FollowRecordPart }> {
  const { part, stats } = context;
  let latest = part;
  checkRetention(part);
  const partNow = (shards: Parameters<typeof storeShards>[0]): FollowRecordPart => ({
    ...part,
    caughtUp: false,
    shards: storeShards(shards),
    totals: {
      records: part.totals.records + stats.records,
      puts: part.totals.puts + stats.puts,
      deletes: part.totals.deletes + stats.deletes,
    },
  });
  const result = await followStream({
    changes: context.changes,
    sink: context.sink,
    keyAttributes: context.keyAttributes,
    viewType: part.viewType,
    stage: context.stage,
    keysChange: context.keysChange,
    shards: shardsOf(part),
    skipBefore: part.skipBefore ? Date.parse(part.skipBefore) : undefined,
    writeConcurrency: context.writeConcurrency,
    writePacer: context.writePacer,
    writeSlots: context.writeSlots,
    untilCaughtUp: context.untilCaughtUp,
    stats,
    signal: context.signal,
    onProgress: (shards) => {
      latest = partNow(shards);
      context.save(latest);
    },
    onWarning: context.onWarning,
  });
  latest = { ...partNow(result.shards), caughtUp: result.status === 'caught-up' };
  context.save(latest);
  return { status: result.status, part: latest };
}

export function followSummary(
  status: FollowSummary['status'],
  part: FollowRecordPart,
  stats: FollowStats,
): FollowSummary {
  return {
    status,
    streamArn: part.streamArn,
    records: stats.records,
    skipped: stats.skipped,
    puts: stats.puts,
    deletes: stats.deletes,
    lagSeconds: stats.lagSeconds(),
    shards: { done: part.shards.filter((shard) => shard.done).length, total: part.shards.length },
    consumedWrite: Math.round(stats.consumedWrite * 10) / 10,
  };
}

export { FollowStats };
