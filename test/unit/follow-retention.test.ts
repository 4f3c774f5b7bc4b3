/**
 * The warning before the stream's 24-hour retention runs out: once, twelve hours after the stream's
 * position was taken, while there is still time to act; at once when resuming a copy that old.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkRetention, warnBeforeRetention } from '../../src/runs/follow/follow-changes.js';
import type { FollowRecordPart } from '../../src/runs/follow/follow-record.js';
import { validateFollowOptions } from '../../src/runs/follow/options.js';

describe('warnBeforeRetention', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('warns once, twelve hours after the position was taken, naming the deadline', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T00:00:00Z') });
    const warnings: string[] = [];
    warnBeforeRetention({ startedAt: '2026-12-01T00:00:00.000Z' }, (message) => warnings.push(message));
    vi.advanceTimersByTime(12 * 3_600_000 - 1);
    expect(warnings).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/began 12 hours ago.*by 2026-12-02T00:00:00\.000Z/);
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(warnings).toHaveLength(1);
  });

  it('warns at once for a position already twelve hours old, and never after being cancelled', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T13:00:00Z') });
    const old: string[] = [];
    warnBeforeRetention({ startedAt: '2026-12-01T00:00:00.000Z' }, (message) => old.push(message));
    expect(old).toHaveLength(1);
    const fresh: string[] = [];
    const cancel = warnBeforeRetention({ startedAt: '2026-12-01T12:59:00.000Z' }, (message) =>
      fresh.push(message),
    );
    cancel();
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(fresh).toEqual([]);
  });

  const part = (skipBefore: string | null, after: string | null, done = false): FollowRecordPart => ({
    streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x',
    viewType: 'NEW_IMAGE',
    startedAt: '2026-12-01T00:00:00.000Z',
    skipBefore,
    shards: [{ shardId: 's1', parentShardId: null, after, done }],
    totals: { records: 0, puts: 0, deletes: 0 },
  });

  it('checkRetention: a shard still to be read from its start, needing changes older than 24 hours, is a gap', () => {
    const now = Date.parse('2026-12-02T00:00:00Z');
    expect(() => checkRetention(part('2026-12-01T00:00:00.000Z', null), now)).toThrow(
      /more than 24 hours ago/,
    );
    // Within the 24 hours, after an applied record (the stream checks that one), done, or from the oldest record: fine.
    expect(() => checkRetention(part('2026-12-01T00:00:01.000Z', null), now)).not.toThrow();
    expect(() => checkRetention(part('2026-12-01T00:00:00.000Z', '42'), now)).not.toThrow();
    expect(() => checkRetention(part('2026-12-01T00:00:00.000Z', null, true), now)).not.toThrow();
    expect(() => checkRetention(part(null, null), now)).not.toThrow();
  });

  it('follow --from more than 24 hours back is refused before anything is touched', () => {
    const flags = { source: 'a', target: 'b' };
    const old = new Date(Date.now() - 25 * 3_600_000).toISOString();
    expect(() => validateFollowOptions({ ...flags, from: old })).toThrow(/more than 24 hours ago/);
    expect(() => validateFollowOptions({ ...flags, from: '2026-12-01 09:00' })).toThrow(
      /ISO 8601 time with a zone/,
    );
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    expect(validateFollowOptions({ ...flags, from: recent }).from).toEqual(new Date(recent));
    expect(validateFollowOptions(flags).from).toBe('trim-horizon');
  });
});
