import type { VerifySummary } from '../../index.js';
import { formatCount, formatDuration } from './format.js';

/** The end-of-verify report for people (stderr), naming the sample keys. `--json` prints the VerifySummary instead. */
export function humanVerifySummary(summary: VerifySummary): string {
  const lines: string[] = [verdict(summary)];
  lines.push(
    `  items      ${formatCount(summary.sourceItems)} in the source, ${formatCount(summary.targetItems)} in the target`,
  );
  const kinds = [
    ['missing', summary.missing, 'in the source, not in the target'],
    ['extra', summary.extra, 'in the target, not in the source'],
    ['different', summary.different, 'same key, other content'],
  ] as const;
  for (const [kind, count, meaning] of kinds) {
    if (count === 0) continue;
    const keys = summary.samples[kind];
    const shown = keys.length < count ? `; the first ${keys.length} in key order:` : keys.length ? ':' : '';
    lines.push(`  ${kind.padEnd(10)} ${formatCount(count)} (${meaning})${shown}`);
    for (const key of keys) lines.push(`             ${JSON.stringify(key)}`);
  }
  if (summary.schemaDifferences.length > 0) {
    lines.push(`  schema     ${summary.schemaDifferences.length} difference(s):`);
    for (const difference of summary.schemaDifferences) lines.push(`             ${difference}`);
  } else {
    lines.push('  schema     same');
  }
  if (summary.schemaNotCompared.length > 0) {
    lines.push(`  not compared (endpoint lacks the API): ${summary.schemaNotCompared.join(', ')}`);
  }
  lines.push(
    `  capacity   ${formatCount(summary.consumedCapacity.source)} RCU on the source, ${formatCount(summary.consumedCapacity.target)} RCU on the target`,
  );
  const seconds = summary.durationMs / 1000;
  const scanned = summary.sourceItems + summary.targetItems;
  const rate = seconds > 0 ? scanned / seconds : 0;
  const passes = summary.drillDownPasses ? `, ${summary.drillDownPasses} drill-down pass(es)` : '';
  lines.push(
    `  duration   ${formatDuration(summary.durationMs)} (${formatCount(rate)} items/s, ${summary.segments} segments, ${formatCount(summary.buckets)} buckets, ${formatCount(summary.mismatchedBuckets)} mismatched${passes})`,
  );
  return lines.join('\n');
}

export function verdict(summary: VerifySummary): string {
  const where = `${side(summary.source)} vs ${side(summary.target)}`;
  if (summary.status === 'identical') return `Verify: identical: ${where}`;
  if (summary.status !== 'different') return `Verify ${summary.status}: ${where}`;
  const parts = [
    `${formatCount(summary.missing)} missing`,
    `${formatCount(summary.extra)} extra`,
    `${formatCount(summary.different)} different`,
  ];
  if (summary.schemaDifferences.length)
    parts.push(`${summary.schemaDifferences.length} schema difference(s)`);
  return `Verify: DIFFERENT (${parts.join(', ')}): ${where}`;
}

function side(s: VerifySummary['source']): string {
  return `${s.table} (${s.region ?? '?'}${s.endpoint ? ` at ${s.endpoint}` : ''})`;
}
