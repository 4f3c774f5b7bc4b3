import type { CopyEstimate, DurationBound } from '../../index.js';
import { formatBytes, formatCount, formatDuration } from './format.js';

/** What sets the least time, in the words of the flags and settings behind it. */
const BOUNDS: Record<DurationBound, string> = {
  'read-rate': '--read-rate',
  'write-rate': '--write-rate',
  'source-read-capacity': "the source's provisioned read capacity",
  'target-write-capacity': "the target's provisioned write capacity",
  'source-on-demand-maximum': "the source's on-demand maximum read rate",
  'target-on-demand-maximum': "the target's on-demand maximum write rate",
};

/**
 * `--dry-run`'s estimate: capacity units, the least time, the cost at the list prices it names, and
 * what it leaves out. The lines are indented to sit under a plan's `items` line.
 */
export function estimateLines(
  estimate: CopyEstimate,
  regions: { source?: string | null; target?: string | null } = {},
): string[] {
  const { prices, cost } = estimate;
  const lines = [
    `  estimate   at ${prices.region} list prices of ${prices.asOf} (other regions differ): an estimate, not a quote`,
  ];
  if (estimate.readUnits + estimate.writeUnits === 0) {
    lines.push('    nothing read or written: no request cost');
    return lines;
  }
  const half = estimate.consistentRead
    ? 'one unit each (strongly consistent)'
    : 'half a unit each (eventually consistent)';
  lines.push(
    `    reads    ~${formatCount(estimate.readUnits)} RCU: ${formatBytes(estimate.bytes)} in 4 KB units, ${half}; ${cost.reads.mode} ${aboutUsd(cost.reads.usd)}`,
  );
  const perItem = estimate.items > 0 ? estimate.writeUnits / estimate.items : 0;
  lines.push(
    `    writes   ~${formatCount(estimate.writeUnits)} WCU: ${formatPerItem(perItem)} per item of ~${formatBytes(estimate.averageItemBytes)} on average (1 KB units, rounded up per item; approximate); ${cost.writes.mode} ${aboutUsd(cost.writes.usd)}`,
  );
  if (estimate.indexWriteUnitsAtMost > 0) {
    lines.push(
      `    indexes  up to ~${formatCount(estimate.indexWriteUnitsAtMost)} WCU more (${aboutUsd(cost.indexWritesUsdAtMost)}): an item is also written to each secondary index that holds its keys`,
    );
  }
  lines.push(
    estimate.seconds === null || estimate.limitedBy === null
      ? "    time     not bounded by capacity (on-demand, no --read-rate/--write-rate): this machine and the tables' throughput set the pace"
      : `    time     at least ${formatDuration(estimate.seconds * 1000)}, set by ${BOUNDS[estimate.limitedBy]}`,
  );
  lines.push(
    `    cost     ${aboutUsd(cost.totalUsd)} for the reads and writes (storage, streams, backups and data transfer not included)`,
  );
  if (cost.transfer) {
    const between = regions.source && regions.target ? ` from ${regions.source} to ${regions.target}` : '';
    lines.push(
      `    transfer ~${cost.transfer.gigabytes.toFixed(cost.transfer.gigabytes < 10 ? 3 : 1)} GB${between}: ${aboutUsd(cost.transfer.usd)} more at $${prices.interRegionTransferPerGb}/GB between AWS regions (more to or from the internet)`,
    );
  }
  lines.push(
    `    prices   on-demand $${prices.onDemandReadPerMillion} per million read and $${prices.onDemandWritePerMillion} per million write request units; provisioned $${prices.provisionedReadPerUnitHour} per RCU-hour and $${prices.provisionedWritePerUnitHour} per WCU-hour`,
  );
  return lines;
}

/** An estimated amount: "~$0.64", or "<$0.0001" for what rounds to nothing. */
export function aboutUsd(usd: number): string {
  const text = formatUsd(usd);
  return text.startsWith('<') ? text : `~${text}`;
}

/** Dollars: cents above a dollar, two significant digits below (a small table's copy costs fractions of a cent). */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '<$0.0001';
  if (usd < 1) return `$${usd.toPrecision(2)}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function formatPerItem(units: number): string {
  return Number.isInteger(units) ? String(units) : units.toFixed(2);
}
