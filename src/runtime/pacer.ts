import { sleep } from './retry.js';

/**
 * One token bucket in capacity units per side, shared by all workers of that side.
 *
 * A request takes its estimated cost before it is sent (so concurrent workers see the debt and wait)
 * and settles the difference once the response reports the capacity really consumed. The bucket may
 * go into debt by one request; the next caller waits until it is paid back. Throttling halves the
 * rate at once; the rate then climbs back gradually, so a throttle storm is not followed by a burst.
 */
export class Pacer {
  private tokens: number;
  private rate: number;
  private last: number;
  private lastCut = -Infinity;

  /** @param limit capacity units per second; undefined means no limit (every call passes at once). */
  constructor(
    readonly limit: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.rate = limit ?? Number.POSITIVE_INFINITY;
    // Start empty-ish: a full bucket would let the first second run at twice the rate.
    this.tokens = 0;
    this.last = now();
  }

  /** The rate in force now (below the limit after throttling). */
  get currentRate(): number {
    return this.rate;
  }

  /** Waits until the bucket is out of debt, then takes `units` from it. */
  async take(units: number, signal?: AbortSignal): Promise<void> {
    if (this.limit === undefined) return;
    for (;;) {
      this.refill();
      if (this.tokens >= 0) {
        this.tokens -= units;
        return;
      }
      await sleep(Math.ceil((-this.tokens / this.rate) * 1000), signal);
    }
  }

  /** Corrects an earlier estimate with what the response reported (positive: it cost more). */
  settle(extraUnits: number): void {
    if (this.limit === undefined) return;
    this.tokens -= extraUnits;
  }

  /** The side was throttled: halve the rate, at most once per second so one storm is one cut. */
  throttled(): void {
    if (this.limit === undefined) return;
    const t = this.now();
    if (t - this.lastCut < 1000) return;
    this.refill();
    this.lastCut = t;
    this.rate = Math.max(this.limit * MIN_RATE_FRACTION, this.rate / 2);
  }

  private refill(): void {
    const t = this.now();
    const elapsedSeconds = (t - this.last) / 1000;
    this.last = t;
    if (this.limit === undefined) return;
    if (this.rate < this.limit) {
      // Additive increase: back to the full limit in about RECOVERY_SECONDS after a cut.
      this.rate = Math.min(this.limit, this.rate + (this.limit / RECOVERY_SECONDS) * elapsedSeconds);
    }
    // Save up at most a tenth of a second of unused capacity: a bigger burst would push a 10-second
    // average over the limit (DynamoDB's own burst credit is for the table's owner, not for a copy).
    this.tokens = Math.min(this.rate * BURST_SECONDS, this.tokens + this.rate * elapsedSeconds);
  }
}

const MIN_RATE_FRACTION = 0.05;
const BURST_SECONDS = 0.1;
const RECOVERY_SECONDS = 30;
