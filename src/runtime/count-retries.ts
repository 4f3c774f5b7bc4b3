import type { Pacer } from './pacer.js';
import type { RetryCounts } from './stats.js';

/**
 * The one wiring from a store's retries to a run (a store's RetryListener): every retry is counted in
 * the run's stats, and a throttle (a throttling error, or items DynamoDB left unprocessed) slows that
 * side's pacer. The pacer is looked up on each retry: a run replaces it once the table's capacity is
 * known (a `--write-rate 50%` needs it).
 */
export function countRetries(
  stats: { retries: RetryCounts },
  pacer: () => Pacer | undefined,
): (reason: keyof RetryCounts) => void {
  return (reason) => {
    stats.retries[reason] += 1;
    if (reason === 'throttled' || reason === 'unprocessedItems') pacer()?.throttled();
  };
}
