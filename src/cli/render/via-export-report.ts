/**
 * `copy --via-export` on stderr: the numbered steps, the export's and import's progress while AWS
 * runs them, and the end-of-run report; `--dry-run` prints the requests it would send.
 */

import type { ViaExportEvent, ViaExportPlan, ViaExportSummary } from '../../index.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { stepPrinter, type Verbosity } from './reporter.js';
import { holdsText, sideLine } from './side-identity.js';

/** A running job is reported when its status changes, and otherwise this often. */
const PROGRESS_EVERY_MS = 30_000;

export function createViaExportReporter(
  stream: NodeJS.WriteStream,
  verbosity: Verbosity,
): (event: ViaExportEvent) => void {
  const printStep = stepPrinter((line) => stream.write(`${line}\n`), verbosity);
  let lastStatus = '';
  let lastPrintedAt = Number.NEGATIVE_INFINITY;
  return (event) => {
    switch (event.type) {
      case 'step':
        printStep(event.number, event.total, event.message);
        break;
      case 'warning':
        stream.write(`warning: ${event.message}\n`);
        break;
      case 'plan':
        if (verbosity === 'verbose') stream.write(`plan: ${JSON.stringify(event.plan)}\n`);
        break;
      case 'job': {
        const { job, status, elapsedMs, processedItems } = event.progress;
        const key = `${job}:${status}`;
        const due = elapsedMs - lastPrintedAt >= PROGRESS_EVERY_MS;
        if (verbosity === 'quiet' || (key === lastStatus && !due && verbosity !== 'verbose')) break;
        lastStatus = key;
        lastPrintedAt = elapsedMs;
        const items = processedItems !== undefined ? `, ${formatCount(processedItems)} items processed` : '';
        stream.write(`  ${job} ${status} after ${formatDuration(elapsedMs)}${items}\n`);
        break;
      }
      case 'mask': {
        const { filesDone, files, itemsRead, itemsWritten } = event.progress;
        if (verbosity !== 'quiet') {
          stream.write(
            `  masked ${filesDone}/${files} file(s): ${formatCount(itemsRead)} items read, ${formatCount(itemsWritten)} written\n`,
          );
        }
        break;
      }
    }
  };
}

export function humanViaExportSummary(summary: ViaExportSummary): string {
  const { viaExport: jobs } = summary;
  const lines = [
    `Copy ${summary.status} via AWS export/import: ${side(summary.source)} -> ${side(summary.target)}`,
  ];
  if (summary.schema.action !== 'none') {
    const settings = summary.schema.settings.length ? `; applied ${summary.schema.settings.join(', ')}` : '';
    lines.push(
      `  schema     ${summary.schema.action} (${summary.schema.indexes.global} global indexes)${settings}`,
    );
  }
  if (summary.schema.unsupportedSettings.length) {
    lines.push(`  not applied (endpoint lacks the API): ${summary.schema.unsupportedSettings.join(', ')}`);
  }
  if (jobs.droppedLocalIndexes.length) {
    lines.push(`  dropped    local secondary indexes ${jobs.droppedLocalIndexes.join(', ')} (--drop-lsi)`);
  }
  if (jobs.export) {
    const size =
      jobs.export.billedSizeBytes !== null ? `, ${formatBytes(jobs.export.billedSizeBytes)} billed` : '';
    const items =
      jobs.export.itemCount !== null ? `${formatCount(jobs.export.itemCount)} items` : 'items unknown';
    lines.push(
      `  export     ${jobs.export.status}: ${items}${size} in ${formatDuration(jobs.export.durationMs)}`,
    );
    lines.push(`             ${jobs.export.arn}`);
  }
  if (jobs.masked) {
    const m = jobs.masked;
    lines.push(
      `  masked     ${m.filesWritten} file(s), ${formatCount(m.itemsRead)} items read, ${formatCount(m.itemsWritten)} written, ${formatBytes(m.bytes)} in ${formatDuration(m.durationMs)}`,
    );
    lines.push(`             ${m.location}`);
  }
  for (const { rule, values } of summary.masking?.rules ?? []) {
    lines.push(`  masked     ${formatCount(values)} value(s): ${rule}`);
  }
  if (jobs.import) {
    const i = jobs.import;
    lines.push(
      `  import     ${i.status}: ${formatCount(i.importedItemCount)} imported, ${formatCount(i.processedItemCount)} processed, ${i.errorCount} errors in ${formatDuration(i.durationMs)}`,
    );
    lines.push(`             ${i.arn}`);
  }
  if (jobs.s3.importKeyPrefix)
    lines.push(
      `  files      s3://${jobs.s3.bucket}/${jobs.s3.importKeyPrefix} (kept; delete them when done)`,
    );
  lines.push('  capacity   none consumed on either table');
  lines.push(`  duration   ${formatDuration(summary.durationMs)}`);
  return lines.join('\n');
}

export function humanViaExportPlan(plan: ViaExportPlan, summary: ViaExportSummary): string {
  const target = summary.target.table;
  const lines = ['Plan (dry run: nothing was changed)'];
  // Who each side is, before anything else: a profile that resolves to the wrong account shows here.
  lines.push(`  source     ${sideLine(summary.source.table, summary.source, plan.sides?.source)}`);
  lines.push(
    `  target     ${sideLine(target, summary.target, plan.sides?.target)}${plan.existingTarget ? `; holds ${holdsText(plan.existingTarget)} now` : ''}`,
  );
  lines.push('  ExportTableToPointInTime input:', indent(JSON.stringify(plan.export, null, 2), 4));
  if (plan.deleteTarget) lines.push(`  target     DELETE the existing '${target}' once the export completed`);
  lines.push(
    "  ImportTable input (S3KeyPrefix gets the export's id):",
    indent(JSON.stringify(plan.import, null, 2), 4),
  );
  const after = [...plan.lateSettings.map((s) => s.kind), ...plan.tableUpdates.map((u) => u.kind)];
  if (after.length) lines.push(`  then apply ${after.join(', ')}`);
  lines.push(
    `  items      ~${formatCount(plan.estimate.items)} items, ~${formatBytes(plan.estimate.bytes)} (DescribeTable's estimate); no table capacity consumed`,
  );
  for (const mask of plan.itemChanges?.masks ?? []) lines.push(`  mask       ${mask}`);
  if (plan.itemChanges?.transform) lines.push(`  transform  ${plan.itemChanges.transform}`);
  if (plan.itemChanges) {
    lines.push(
      `  masked     the export's files are masked into ${plan.itemChanges.prefix}/ before ImportTable reads them`,
    );
  }
  for (const warning of plan.warnings) lines.push(`  warning    ${warning}`);
  return lines.join('\n');
}

function side(s: ViaExportSummary['source']): string {
  return `${s.table} (${s.region ?? '?'}${s.endpoint ? ` at ${s.endpoint}` : ''})`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}
