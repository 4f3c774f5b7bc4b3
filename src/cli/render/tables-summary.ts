import {
  type CopyEstimate,
  describeCredentials,
  type TablePlanEntry,
  type TablesSummary,
} from '../../index.js';
import { aboutUsd, estimateLines } from './estimate.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { accountText } from './side-identity.js';

/**
 * One table's result, read from whichever one-table summary the command made (CopySummary,
 * VerifySummary, ExportSummary, ImportSummary) or from a NotRunTable. Each has its own shape, so every
 * field is read defensively and is undefined when that summary does not have it.
 */
export interface TableResult {
  source: string | undefined;
  target: string | undefined;
  /** The summary's status as words: completed, failed, interrupted, identical, done before, not started... */
  status: string;
  /** Items written (copy, export, import) or the source's items compared (verify). */
  items: number | undefined;
  bytes: number | undefined;
  durationMs: number | undefined;
  /** The error's message, for a failed or interrupted table. */
  error: string | undefined;
}

/**
 * A set's export folder as the user named it: `DIR/<table>` rather than the AWS-layout folder inside
 * it (`.../AWSDynamoDB/<export id>`), relative to the working directory when under it.
 */
function exportFolder(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const folder = dir.replace(/\/AWSDynamoDB\/[^/]+\/?$/, '');
  const cwd = `${process.cwd()}/`;
  return folder.startsWith(cwd) ? folder.slice(cwd.length) : folder;
}

export function tableResult(summary: unknown): TableResult {
  const s = record(summary);
  const items = record(s.items);
  const status = typeof s.status === 'string' ? s.status.replaceAll('-', ' ') : 'unknown';
  return {
    // copy, verify, export and a NotRunTable name the source table; an import reads an export folder.
    source: text(record(s.source).table) ?? exportFolder(text(record(s.from).dir)),
    // an export writes a folder, not a table.
    target: text(record(s.target).table) ?? exportFolder(text(record(s.export).dir)),
    status,
    items: num(items.written) ?? num(s.sourceItems),
    bytes: num(s.bytes) ?? num(record(s.export).bytes),
    durationMs: num(s.durationMs),
    error: text(record(s.error).message),
  };
}

/** `source → target`, or the one side a summary names. */
export function pairLabel(source: string | undefined, target: string | undefined): string {
  if (source !== undefined && target !== undefined) return `${source} → ${target}`;
  return source ?? target ?? '?';
}

/** The end-of-run report of a set for people (stderr): one aligned row per pair, then the totals. */
export function humanTablesSummary(summary: TablesSummary<unknown>): string {
  const rows = summary.tables.map((table) => {
    const r = tableResult(table);
    const label = pairLabel(r.source, r.target);
    if (r.status === 'done before' || r.status === 'not started') return [label, r.status];
    return [
      label,
      r.status,
      r.items !== undefined ? `${formatCount(r.items)} items` : '',
      r.bytes !== undefined ? formatBytes(r.bytes) : '',
      r.durationMs !== undefined ? formatDuration(r.durationMs) : '',
      r.error ?? '',
    ];
  });
  const lines = [`${capitalized(summary.command)} ${summary.status}`];
  lines.push(...alignRows(rows, ['left', 'left', 'right', 'right', 'right', 'left']));
  lines.push(totalsLine(summary.totals));
  if ((summary.status === 'failed' || summary.status === 'interrupted') && summary.checkpoint) {
    lines.push(`Run record: ${summary.checkpoint} (--resume continues from it)`);
  }
  return lines.join('\n');
}

function totalsLine(t: TablesSummary<unknown>['totals']): string {
  const counts = [`${t.completed} completed`];
  if (t.failed) counts.push(`${t.failed} failed`);
  if (t.interrupted) counts.push(`${t.interrupted} interrupted`);
  if (t.doneBefore) counts.push(`${t.doneBefore} done before`);
  if (t.notStarted) counts.push(`${t.notStarted} not started`);
  return (
    `${tables(t.tables)}: ${counts.join(', ')}; ${formatCount(t.items)} items, ${formatBytes(t.bytes)} ` +
    `in ${formatDuration(t.durationMs)} (${formatCount(t.itemsPerSecond)} items/s)`
  );
}

const ACTIONS: Record<Exclude<TablePlanEntry['action'], 'unplannable'>, string> = {
  recreate: 'recreate',
  create: 'create',
  'data-only': 'data-only',
  'schema-only': 'schema-only',
  resume: 'resume',
  'done-before': 'done before',
};

/** `--dry-run` of a set: every pair with what would be done to it, then every table that would be deleted. */
export function humanTablesPlan(entries: readonly TablePlanEntry[], estimate?: CopyEstimate): string {
  const rows: string[][] = [];
  const warnings = new Map<number, string[]>();
  for (const entry of entries) {
    const label = pairLabel(entry.pair.source, entry.pair.target);
    if (entry.action === 'unplannable') {
      rows.push([label, `cannot plan: ${entry.error?.message ?? 'unknown error'}`]);
    } else if (entry.action === 'done-before') {
      rows.push([label, ACTIONS[entry.action]]);
    } else {
      rows.push([
        label,
        ACTIONS[entry.action],
        `~${formatCount(entry.estimate.items)} items`,
        `~${formatBytes(entry.estimate.bytes)}`,
        ...(estimate ? [costCell(entry)] : []),
      ]);
    }
    const notes = [
      ...(entry.filter ? [`filter: only items matching ${entry.filter}`] : []),
      ...(entry.masks ?? []).map((mask) => `mask: ${mask}`),
      ...entry.warnings.map((warning) => `warning: ${warning}`),
    ];
    if (notes.length) warnings.set(rows.length - 1, notes);
  }
  const lines = [`Plan (dry run: nothing was changed): ${tables(entries.length)}`];
  // Who each side is (every pair is reached through the same two sides), before any table.
  for (const side of ['source', 'target'] as const) {
    const who = entries.find((entry) => entry.sides?.[side])?.sides?.[side];
    if (who) {
      lines.push(
        `  ${side} side: ${accountText(who)}, ${describeCredentials(who)}, ${who.region}${who.endpoint ? ` at ${who.endpoint}` : ''}`,
      );
    }
  }
  const columns: ('left' | 'right')[] = [
    'left',
    'left',
    'right',
    'right',
    ...(estimate ? ['right' as const] : []),
  ];
  alignRows(rows, columns).forEach((row, index) => {
    lines.push(row);
    for (const note of warnings.get(index) ?? []) lines.push(`      ${note}`);
  });
  if (estimate) {
    // Every pair goes through the same two sides: their regions say whether data crosses regions.
    const sides = entries.find((entry) => entry.sides?.source && entry.sides?.target)?.sides;
    lines.push(`Total of the ${tables(entries.length)}:`);
    lines.push(...estimateLines(estimate, { source: sides?.source?.region, target: sides?.target?.region }));
  }
  const deleted = entries.filter((entry) => entry.deletesTarget);
  if (deleted.length) {
    const names = deleted.map((entry) =>
      entry.existingTarget
        ? `${entry.target.table} (${formatCount(entry.existingTarget.items)} items)`
        : entry.target.table,
    );
    lines.push(
      `Would DELETE ${deleted.length} existing target ${plural(deleted.length)}: ${names.join(', ')}`,
    );
  } else {
    lines.push('Deletes no table.');
  }
  return lines.join('\n');
}

/** A pair's cost in the plan's table: reads and writes at list prices, when the plan estimated them. */
function costCell(entry: TablePlanEntry): string {
  const cost = (entry.estimate as Partial<CopyEstimate>).cost;
  return cost ? aboutUsd(cost.totalUsd) : '';
}

/**
 * Pads every column to its widest cell; rows are indented by two spaces and lose trailing blanks. A
 * row shorter than the columns ends in a free cell ("cannot plan: ...", "done before") that neither
 * widens its column nor is padded.
 */
function alignRows(rows: readonly string[][], align: readonly ('left' | 'right')[]): string[] {
  const counts = (row: readonly string[], column: number): boolean =>
    column < row.length && (row.length === align.length || column < row.length - 1);
  const widths = align.map((_, column) =>
    Math.max(0, ...rows.map((row) => (counts(row, column) ? (row[column] ?? '').length : 0))),
  );
  return rows.map((row) => {
    const cells = row.map((cell, column) => {
      if (!counts(row, column)) return cell;
      const width = widths[column] ?? 0;
      return align[column] === 'right' ? cell.padStart(width) : cell.padEnd(width);
    });
    return `  ${cells.join('  ')}`.trimEnd();
  });
}

function tables(count: number): string {
  return `${count} ${plural(count)}`;
}

function plural(count: number): string {
  return count === 1 ? 'table' : 'tables';
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A set's one-line verdict: what `--quiet` prints and the `finished` event carries. */
export function tablesVerdict(summary: TablesSummary<unknown>): string {
  return `${capitalized(summary.command)} ${summary.status}: ${totalsLine(summary.totals)}.`;
}
