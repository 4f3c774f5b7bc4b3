/**
 * A verify's counters, per side. The engine and the stores add to them; renderers read them on their
 * own schedule.
 */
import type { Side } from '../errors.js';
import type { RetryCounts } from './stats.js';

/** The scan a verify is in: the digest of both tables, or a drill-down pass into differing buckets. */
export type VerifyPhase = 'digest' | 'drill-down';

/** The counters of a verify; events hand them to a renderer to read. */
export class VerifyStats {
  phase: VerifyPhase = 'digest';
  /** Drill-down pass number (1-based) and how many there are; 0 during the digest. */
  pass = 0;
  passes = 0;
  /** Items scanned in the current phase (or pass), per side. */
  readonly scanned: Record<Side, number> = { source: 0, target: 0 };
  /** Items each side should hold: DescribeTable's estimate at first, the digest's exact count after it. */
  readonly expected: Record<Side, number> = { source: 0, target: 0 };
  /** Which sides the current phase scans. */
  readonly scanning: Record<Side, boolean> = { source: true, target: true };
  readonly consumedRead: Record<Side, number> = { source: 0, target: 0 };
  /** Items scanned over the whole run, both sides, every phase. */
  itemsScanned = 0;
  readonly retries: RetryCounts = { unprocessedItems: 0, throttled: 0, errors: 0, expiredCredentials: 0 };
  private readonly startedAt = performance.now();
  private phaseStartedAt = this.startedAt;

  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  get phaseElapsedMs(): number {
    return performance.now() - this.phaseStartedAt;
  }

  /** Enters a phase (digests, a drill-down pass), resetting the counts the progress display shows for it. */
  startPhase(phase: VerifyPhase, scanning: Record<Side, boolean>, pass = 0, passes = 0): void {
    this.phase = phase;
    this.pass = pass;
    this.passes = passes;
    this.scanned.source = 0;
    this.scanned.target = 0;
    this.scanning.source = scanning.source;
    this.scanning.target = scanning.target;
    this.phaseStartedAt = performance.now();
  }
}

/** A point-in-time view for renderers: progress of the current phase, its rate and ETA. */
export interface VerifyProgressSnapshot {
  phase: VerifyPhase;
  pass: number;
  passes: number;
  scanned: number;
  expected: number;
  itemsPerSecond: number;
  /** Undefined while there is no rate or no estimate to go by. */
  etaMs: number | undefined;
  retries: number;
}

/** The snapshot of a verify's current phase now. */
export function verifyProgressSnapshot(stats: VerifyStats): VerifyProgressSnapshot {
  const sides: Side[] = (['source', 'target'] as const).filter((side) => stats.scanning[side]);
  const scanned = sides.reduce((sum, side) => sum + stats.scanned[side], 0);
  const expected = sides.reduce((sum, side) => sum + stats.expected[side], 0);
  const seconds = stats.phaseElapsedMs / 1000;
  const itemsPerSecond = seconds > 0 ? scanned / seconds : 0;
  const etaMs =
    itemsPerSecond > 0 && expected > scanned ? ((expected - scanned) / itemsPerSecond) * 1000 : undefined;
  const r = stats.retries;
  return {
    phase: stats.phase,
    pass: stats.pass,
    passes: stats.passes,
    scanned,
    expected,
    itemsPerSecond,
    etaMs,
    retries: r.unprocessedItems + r.throttled + r.errors + r.expiredCredentials,
  };
}
