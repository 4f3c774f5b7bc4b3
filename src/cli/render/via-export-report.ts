/**
 * `copy --via-export` on stderr: the numbered steps, the export's and import's progress while AWS
 * runs them, and the end-of-run report; `--dry-run` prints the requests it would send.
 */

import type { ViaExportEvent, ViaExportPlan, ViaExportSummary } from '../../index.js';
import type { Output } from '../output/output.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { stepPrinter } from './reporter.js';
import { holdsText, sideLine } from './side-identity.js';

/** A running job is reported when its status changes, and otherwise this often. */
const PROGRESS_EVERY_MS = 30_000;

export function createViaExportReporter(output: Output): (event: ViaExportEvent) => void {
  const { verbosity } = output;
  const json = output.progress === 'json';
  // Lines for people: stderr as it is (not with --progress json) and the log file.
  const say = (line: string): void => output.line(line);
  const printStep = stepPrinter(say, verbosity, (line) => output.log?.line(line));
  let lastStatus = '';
  let lastPrintedAt = Number.NEGATIVE_INFINITY;
  return (event) => {
    switch (event.type) {
      case 'step':
        output.event('step', {
          name: event.name,
          number: event.number,
          total: event.total,
          message: event.message,
        });
        printStep(event.number, event.total, event.message);
        break;
      case 'warning':
        output.event('warning', { message: event.message });
        say(`warning: ${event.message}`);
        break;
      case 'plan':
        if (verbosity === 'verbose') say(`plan: ${JSON.stringify(event.plan)}`);
        break;
      case 'job': {
        const { job, status, elapsedMs, processedItems } = event.progress;
        output.event('progress', { job, status, elapsedMs, items: processedItems ?? null });
        const key = `${job}:${status}`;
        const due = elapsedMs - lastPrintedAt >= PROGRESS_EVERY_MS;
        if (key === lastStatus && !due && verbosity !== 'verbose') break;
        lastStatus = key;
        lastPrintedAt = elapsedMs;
        const items = processedItems !== undefined ? `, ${formatCount(processedItems)} items processed` : '';
        const line = `${job} ${status} after ${formatDuration(elapsedMs)}${items}`;
        // A job's state is progress: timestamped in lines, hidden by --quiet and --progress none.
        if (output.progress === 'bar' && verbosity !== 'quiet') {
          say(`  ${line}`);
        } else if (!json) output.progressLine(line);
        break;
      }
      case 'mask': {
        const { filesDone, files, itemsRead, itemsWritten } = event.progress;
        output.event('progress', { phase: 'mask', filesDone, files, itemsRead, itemsWritten });
        const line = `masked ${filesDone}/${files} file(s): ${formatCount(itemsRead)} items read, ${formatCount(itemsWritten)} written`;
        if (output.progress === 'bar' && verbosity !== 'quiet') say(`  ${line}`);
        else if (!json) output.progressLine(line);
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
