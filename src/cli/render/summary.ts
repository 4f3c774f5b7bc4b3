import type {
  CopyPlan,
  CopySummary,
  ExportSummary,
  FollowCommandSummary,
  FollowSummary,
  ImportSummary,
} from '../../index.js';
import { estimateLines } from './estimate.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { holdsText, sideLine } from './side-identity.js';

/** The end-of-run report for people (stderr). `--json` prints the CopySummary itself instead. */
export function humanSummary(summary: CopySummary): string {
  const lines: string[] = [];
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? summary.items.written / seconds : 0;
  lines.push(`Copy ${summary.status}: ${side(summary.source)} -> ${side(summary.target)}`);
  if (summary.schema.action !== 'none') {
    const idx = summary.schema.indexes;
    const settings = summary.schema.settings.length ? `; applied ${summary.schema.settings.join(', ')}` : '';
    lines.push(
      `  schema     ${summary.schema.action} (${idx.global} global, ${idx.local} local indexes)${settings}`,
    );
  }
  if (summary.schema.unsupportedSettings.length) {
    lines.push(`  not applied (endpoint lacks the API): ${summary.schema.unsupportedSettings.join(', ')}`);
  }
  lines.push(
    `  items      ${formatCount(summary.items.written)} written of ${formatCount(summary.items.scanned)} scanned`,
  );
  lines.push(`  data       ${formatBytes(summary.bytes)}`);
  lines.push(
    `  capacity   ${formatCount(summary.consumedCapacity.read)} RCU read, ${formatCount(summary.consumedCapacity.write)} WCU written`,
  );
  const r = summary.retries;
  lines.push(
    `  retries    ${r.unprocessedItems} unprocessed, ${r.throttled} throttled, ${r.errors} errors, ${r.expiredCredentials} expired credentials`,
  );
  lines.push(
    `  duration   ${formatDuration(summary.durationMs)} (${formatCount(rate)} items/s, ${summary.segments} segments)`,
  );
  if (summary.items.writtenBefore > 0) {
    lines.push(
      `  resumed    after ${formatCount(summary.items.writtenBefore)} items written by earlier runs`,
    );
  }
  if (summary.filter) lines.push(`  filter     ${summary.filter.expression}`);
  if (summary.follow) lines.push(followSummaryLine(summary.follow));
  if (summary.prune) lines.push(...pruneLines(summary.prune));
  lines.push(...maskingLines(summary.masking));
  const v = summary.verification;
  if (v) {
    lines.push(
      `  verified   ${v.status}: ${formatCount(v.sourceItems)} source, ${formatCount(v.targetItems)} target items; ${v.missing} missing, ${v.extra} extra, ${v.different} different`,
    );
  }
  return lines.join('\n');
}

function side(s: CopySummary['source']): string {
  return `${s.table} (${s.region ?? '?'}${s.endpoint ? ` at ${s.endpoint}` : ''})`;
}

/** `--dry-run`: what would be deleted, created and applied, and how the items would be copied. */
export function humanPlan(plan: CopyPlan, summary: CopySummary): string {
  const lines: string[] = ['Plan (dry run: nothing was changed)'];
  const target = summary.target.table;
  // Who each side is, before anything else: a profile that resolves to the wrong account shows here.
  lines.push(`  source     ${sideLine(summary.source.table, summary.source, plan.sides?.source)}`);
  lines.push(
    `  target     ${sideLine(target, summary.target, plan.sides?.target)}${plan.existingTarget ? `; holds ${holdsText(plan.existingTarget)} now` : ''}`,
  );
  if (plan.mode === 'data-only') lines.push(`  action     keep '${target}' as it is (--data-only)`);
  else if (plan.deleteTarget) lines.push(`  action     DELETE the existing '${target}', then create it anew`);
  else lines.push(`  action     create '${target}'`);
  if (plan.createTable) {
    lines.push('  CreateTable input:');
    lines.push(indent(JSON.stringify(plan.createTable, null, 2), 4));
  }
  if (plan.lateSettings.length) {
    lines.push(`  then apply ${plan.lateSettings.map((s) => s.kind).join(', ')}`);
  }
  if (plan.copyItems) {
    lines.push(
      `  items      ~${formatCount(plan.estimate.items)} items, ~${formatBytes(plan.estimate.bytes)} (DescribeTable's estimate)`,
    );
    lines.push(
      `  scan       ${plan.segments} segment(s), ${plan.scanConcurrency} at a time, ${plan.scanLimit} items per page${plan.readRate ? `, at most ${formatCount(plan.readRate)} RCU/s` : ''}`,
    );
    lines.push(
      `  write      ${plan.writeConcurrency} BatchWriteItem request(s) in flight${plan.writeRate ? `, at most ${formatCount(plan.writeRate)} WCU/s` : ''}`,
    );
    if (plan.filter) lines.push(`  filter     only items matching ${plan.filter}`);
    for (const mask of plan.masks ?? []) lines.push(`  mask       ${mask}`);
    lines.push(
      ...estimateLines(plan.estimate, { source: summary.source.region, target: summary.target.region }),
    );
  } else {
    lines.push('  items      none (--schema-only)');
  }
  if (summary.prune) lines.push(...pruneLines(summary.prune));
  for (const warning of plan.warnings) lines.push(`  warning    ${warning}`);
  return lines.join('\n');
}

/** `--prune`: what was deleted (or, with --dry-run, would be), with a few of the keys. */
function pruneLines(prune: NonNullable<CopySummary['prune']>): string[] {
  const lines = [
    prune.dryRun
      ? `  prune      would delete ${formatCount(prune.missing)} of ${formatCount(prune.scanned)} target item(s): their key is not on the source`
      : `  pruned     ${formatCount(prune.deleted)} of ${formatCount(prune.scanned)} target item(s) deleted: their key is not on the source`,
  ];
  for (const key of prune.samples) lines.push(`    ${JSON.stringify(key)}`);
  if (prune.missing > prune.samples.length) {
    lines.push(`    ... and ${formatCount(prune.missing - prune.samples.length)} more`);
  }
  return lines;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

/** The follow's line of a summary: what was applied, and where it ended. */
export function followSummaryLine(follow: FollowSummary): string {
  const ended =
    follow.status === 'caught-up' ? 'caught up' : follow.status === 'interrupted' ? 'stopped' : 'failed';
  return `  follow     ${ended}: ${formatCount(follow.records)} change(s) read, ${formatCount(follow.puts)} put, ${formatCount(follow.deletes)} deleted; ${follow.lagSeconds} s behind; ${follow.shards.done}/${follow.shards.total} shard(s) done`;
}

/** Items written, with those of earlier runs of a resumed one: `1,200 items (1,000 before this run)`. */
function itemsText(written: number, before: number): string {
  const total = written + before;
  return `${formatCount(total)} item(s)${before > 0 ? ` (${formatCount(before)} before this run)` : ''}`;
}

/** A copy's one-line verdict: what `--quiet` prints and the `finished` event carries. */
export function copyVerdict(summary: CopySummary): string {
  return `Copy ${summary.status}: ${itemsText(summary.items.written, summary.items.writtenBefore)} in '${summary.target.table}', ${formatDuration(summary.durationMs)}.`;
}

/** An export's one-line verdict. */
export function exportVerdict(summary: ExportSummary): string {
  const where = summary.export.dir ? ` to ${summary.export.dir}` : '';
  return `Export ${summary.status}: ${itemsText(summary.items.written, summary.items.writtenBefore)} in ${formatCount(summary.export.files)} file(s)${where}, ${formatDuration(summary.durationMs)}.`;
}

/** An import's one-line verdict. */
export function importVerdict(summary: ImportSummary): string {
  return `Import ${summary.status}: ${itemsText(summary.items.written, summary.items.writtenBefore)} in '${summary.target.table}', ${formatDuration(summary.durationMs)}.`;
}

/** A follow's one-line verdict. */
export function followVerdict(summary: FollowCommandSummary): string {
  const f = summary.follow;
  return `Follow ${summary.status}: ${summary.source.table} -> ${summary.target.table}${f ? `, ${formatCount(f.records)} change(s) read, ${f.lagSeconds} s behind` : ''}.`;
}

/** The end-of-export report for people (stderr), in the copy's layout. */
export function humanExportSummary(summary: ExportSummary): string {
  const lines = [
    `Export ${summary.status}: ${side(summary.source)} -> ${summary.export.dir ?? '(no export)'}`,
  ];
  lines.push(
    `  items      ${formatCount(summary.items.written)} written of ${formatCount(summary.items.scanned)} scanned`,
  );
  lines.push(
    `  files      ${formatCount(summary.export.files)} data file(s), ${formatBytes(summary.export.bytes)}`,
  );
  lines.push(`  capacity   ${formatCount(summary.consumedCapacity.read)} RCU read`);
  lines.push(...tail(summary));
  if (summary.filter) lines.push(`  filter     ${summary.filter.expression}`);
  lines.push(...maskingLines(summary.masking));
  return lines.join('\n');
}

/** The end-of-import report for people (stderr), in the copy's layout. */
export function humanImportSummary(summary: ImportSummary): string {
  const lines = [`Import ${summary.status}: ${summary.from.dir} -> ${side(summary.target)}`];
  if (summary.schema.action !== 'none') {
    const settings = summary.schema.settings.length ? `; applied ${summary.schema.settings.join(', ')}` : '';
    const from = summary.schema.definition === 'key' ? ' from --key' : '';
    lines.push(`  schema     ${summary.schema.action}${from}${settings}`);
  }
  if (summary.schema.unsupportedSettings.length) {
    lines.push(`  not applied (endpoint lacks the API): ${summary.schema.unsupportedSettings.join(', ')}`);
  }
  lines.push(
    `  items      ${formatCount(summary.items.written)} written from ${formatCount(summary.from.files)} file(s) holding ${formatCount(summary.from.items)}`,
  );
  lines.push(`  capacity   ${formatCount(summary.consumedCapacity.write)} WCU written`);
  lines.push(...tail(summary));
  lines.push(...maskingLines(summary.masking));
  return lines.join('\n');
}

/** Duration, rate, segments and a resume: the lines every run's block ends with. */
function tail(summary: ExportSummary | ImportSummary): string[] {
  const lines = [
    `  duration   ${formatDuration(summary.durationMs)} (${formatCount(summary.itemsPerSecond)} items/s, ${summary.segments} segments)`,
  ];
  if (summary.items.writtenBefore > 0) {
    lines.push(
      `  resumed    after ${formatCount(summary.items.writtenBefore)} items written by earlier runs`,
    );
  }
  return lines;
}

function maskingLines(masking: CopySummary['masking']): string[] {
  if (!masking) return [];
  const lines = masking.rules.map(
    ({ rule, values }) => `  masked     ${formatCount(values)} value(s): ${rule}`,
  );
  const t = masking.transform;
  if (t) {
    lines.push(
      `  transform  ${formatCount(t.dropped)} item(s) dropped, ${formatCount(t.rejected)} rejected${t.rejectsFile ? ` (listed in ${t.rejectsFile})` : ''}`,
    );
  }
  return lines;
}
