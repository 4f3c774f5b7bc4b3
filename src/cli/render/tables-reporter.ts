import cliProgress from 'cli-progress';
import {
  type CopyStats,
  progressSnapshot,
  type TablePair,
  type TablesEvent,
  type VerifyStats,
  verifyProgressSnapshot,
} from '../../index.js';
import type { Output, Verbosity } from '../output/output.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { JSON_INTERVAL_MS } from './progress.js';
import { pairLabel, tableResult } from './tables-summary.js';

/**
 * A table's own event, whatever the command: read only through its `type` (step, warning,
 * copy-started, scan-started), its `message` and its `stats`, so a copy's CopyEvent, a verify's
 * VerifyEvent and an export's or an import's step and warning events all fit.
 */
export interface AnyTableEvent {
  type: string;
  message?: string;
  stats?: unknown;
}

/** An event of a run over a set, whatever the command. */
export type AnyTablesEvent = TablesEvent<AnyTableEvent, unknown>;

/** Subscribes to a set's events and writes them to stderr: the set, each table's start and end, progress. */
export interface TablesReporter {
  onEvent(event: AnyTablesEvent): void;
  /** Stops the bars and timers (also after a failure); safe to call twice. */
  close(): void;
}

type Noun = 'copy' | 'verify' | 'export' | 'import';

const GERUNDS: Record<Noun, string> = {
  copy: 'Copying',
  verify: 'Verifying',
  export: 'Exporting',
  import: 'Importing',
};

/** How often the bars are redrawn on a terminal (about 5 times a second). */
const BAR_REFRESH_MS = 200;
/** How often a total line is logged without a terminal, while tables are in flight. */
const LINE_INTERVAL_MS = 5_000;

/** The counters a table's run hands out with its 'copy-started' (CopyStats) or 'scan-started' (VerifyStats). */
type TableStats = { kind: 'copy'; stats: CopyStats } | { kind: 'verify'; stats: VerifyStats };

interface Running {
  pair: TablePair;
  label: string;
  startedAt: number;
  stats: TableStats | undefined;
  /** The table's last step, shown on its bar line until its items flow. */
  step: string | undefined;
  bar: cliProgress.SingleBar | undefined;
}

/** What a bar line shows: drawn by `formatLine`, so one format serves the total and every table. */
interface LinePayload {
  head: string;
  /** 0..1, or undefined for a line without a bar (a table still in its first steps). */
  progress: number | undefined;
  tail: string;
}

export function createTablesReporter(output: Output, noun: Noun, quietSteps = false): TablesReporter {
  const verbosity: Verbosity = quietSteps ? 'quiet' : output.verbosity;
  const quiet = verbosity === 'quiet';
  const stream = output.terminal;
  // Bars with --progress bar; total lines with --progress lines (and in the log file).
  const tty = output.progress === 'bar';
  const json = output.progress === 'json';
  const running = new Map<number, Running>();
  const estimates = new Map<string, number>();
  let pairs: readonly TablePair[] = [];
  let labelWidth = 0;
  let skipped = new Set<string>();
  let done = 0;
  let failed = 0;
  let finishedItems = 0;
  let finishedBytes = 0;
  /** Items each finished table ended with, by pair: its share of the total once it is done. */
  const finishedShares = new Map<string, number>();
  let firstStartedAt: number | undefined;
  let bars: cliProgress.MultiBar | undefined;
  let totalBar: cliProgress.SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Writes a whole line: above the bars while they are shown; always into the log file. */
  const print = (line: string): void => {
    if (bars) {
      bars.log(`${line}\n`);
      output.log?.line(line);
    } else output.line(line);
  };
  const label = (pair: TablePair): string => pairLabel(pair.source, pair.target);

  const totals = () => {
    let items = finishedItems;
    let bytes = finishedBytes;
    for (const table of running.values()) {
      if (table.stats?.kind !== 'copy') continue;
      items += table.stats.stats.itemsWritten;
      bytes += table.stats.stats.bytesWritten;
    }
    const elapsedMs = firstStartedAt === undefined ? 0 : performance.now() - firstStartedAt;
    const itemsPerSecond = elapsedMs > 0 ? items / (elapsedMs / 1000) : 0;
    const expected = expectedItems();
    const etaMs =
      expected !== undefined && itemsPerSecond > 0 && expected > items
        ? ((expected - items) / itemsPerSecond) * 1000
        : undefined;
    return { items, bytes, itemsPerSecond, expected, etaMs };
  };

  /**
   * Items the whole set should end with: a finished table's own count, a copying table's estimate, the
   * plan's estimate for the others. Undefined while a table has none of these (no ETA then).
   */
  const expectedItems = (): number | undefined => {
    const inFlight = new Map([...running.values()].map((table) => [key(table.pair), table]));
    let sum = 0;
    for (const pair of pairs) {
      const k = key(pair);
      if (skipped.has(k)) continue;
      const share = finishedShares.get(k);
      const stats = inFlight.get(k)?.stats;
      if (share !== undefined) sum += share;
      else if (stats?.kind === 'copy') sum += Math.max(stats.stats.expectedItems, stats.stats.itemsWritten);
      else if (estimates.has(k)) sum += estimates.get(k) ?? 0;
      else return undefined;
    }
    return sum;
  };

  const counts = (): string => {
    const total = pairs.length - skipped.size;
    return `${done} done, ${failed} failed of ${formatCount(total)}`;
  };

  const totalLine = (): string => {
    const t = totals();
    const percent =
      t.expected && t.expected > 0 ? ` (${Math.min(100, Math.floor((t.items / t.expected) * 100))}%)` : '';
    const eta = t.etaMs === undefined ? '' : `, ETA ${formatDuration(t.etaMs)}`;
    return `total: ${formatCount(t.items)}${t.expected ? `/${formatCount(t.expected)}` : ''} items${percent}, ${formatBytes(t.bytes)}, ${formatCount(t.itemsPerSecond)} items/s${eta}; ${counts()}`;
  };

  const totalPayload = (): LinePayload => {
    const t = totals();
    const expected = t.expected ?? 0;
    // Without an estimate for every table, the bar shows the share of tables finished.
    const tablesToRun = pairs.length - skipped.size;
    const progress = expected > 0 ? t.items / expected : tablesToRun > 0 ? (done + failed) / tablesToRun : 0;
    return {
      head: 'total'.padEnd(labelWidth),
      progress: Math.min(1, progress),
      tail: `${formatCount(t.items)}${expected ? `/${formatCount(expected)}` : ''} items | ${formatBytes(t.bytes)} | ${formatCount(t.itemsPerSecond)} items/s | ETA ${t.etaMs === undefined ? '-' : formatDuration(t.etaMs)} | ${counts()}`,
    };
  };

  const tablePayload = (table: Running): LinePayload => {
    const head = table.label.padEnd(labelWidth);
    if (table.stats?.kind === 'copy') {
      const s = progressSnapshot(table.stats.stats);
      // ItemCount lags on AWS: never show more than 100 %.
      const expected = Math.max(s.expectedItems, s.itemsWritten);
      return {
        head,
        progress: expected > 0 ? s.itemsWritten / expected : 0,
        tail: `${formatCount(s.itemsWritten)}/${formatCount(expected)} items | ${formatCount(s.itemsPerSecond)} items/s`,
      };
    }
    if (table.stats?.kind === 'verify') {
      const s = verifyProgressSnapshot(table.stats.stats);
      const expected = Math.max(s.expected, s.scanned);
      const phase = s.phase === 'digest' ? 'digest' : `drill-down ${s.pass}/${s.passes}`;
      return {
        head,
        progress: expected > 0 ? s.scanned / expected : 0,
        tail: `${phase}: ${formatCount(s.scanned)}/${formatCount(expected)} items | ${formatCount(s.itemsPerSecond)} items/s`,
      };
    }
    const elapsed = formatDuration(performance.now() - table.startedAt);
    return { head, progress: undefined, tail: `${table.step ?? 'starting'} (${elapsed})` };
  };

  const refreshBars = (): void => {
    totalBar?.update(totalPayload());
    for (const table of running.values()) table.bar?.update(tablePayload(table));
  };

  const startBars = (): void => {
    if (bars || closed || quiet || !tty) return;
    bars = new cliProgress.MultiBar(
      {
        stream,
        format: formatLine,
        barsize: 25,
        fps: 1000 / BAR_REFRESH_MS,
        hideCursor: true,
        clearOnComplete: false,
        noTTYOutput: false,
      },
      cliProgress.Presets.shades_classic,
    );
    // The MultiBar redraws on its own timer; like ours, it must not keep the process alive.
    bars.on('update-post', () => unrefTimer(bars));
    totalBar = bars.create(1, 0, totalPayload());
    unrefTimer(bars);
    timer = setInterval(refreshBars, BAR_REFRESH_MS);
    timer.unref();
  };

  let lastLine = '';
  const sayTotal = (): void => {
    if (running.size === 0) return;
    const t = totals();
    // An idle wait says nothing new: a line only when the counts moved.
    const key = `${t.items},${t.bytes},${done},${failed}`;
    if (key === lastLine) return;
    lastLine = key;
    output.progressLine(totalLine());
  };
  const sendTotal = (): void => {
    const t = totals();
    output.event('progress', {
      items: t.items,
      itemsExpected: t.expected ?? null,
      bytes: t.bytes,
      itemsPerSecond: Math.round(t.itemsPerSecond * 10) / 10,
      etaMs: t.etaMs === undefined ? null : Math.round(t.etaMs),
      tables: { done, failed, running: running.size, total: pairs.length - skipped.size },
    });
  };
  const jsonTimer: { current?: NodeJS.Timeout } = {};
  const startLines = (): void => {
    if (timer || closed) return;
    const lines = (output.progress === 'lines' && !quiet) || output.log !== undefined;
    if (lines) {
      timer = setInterval(sayTotal, LINE_INTERVAL_MS);
      timer.unref();
    }
    if (json && !jsonTimer.current) {
      jsonTimer.current = setInterval(sendTotal, JSON_INTERVAL_MS);
      jsonTimer.current.unref();
    }
  };

  const saidWarnings = new Set<string>();
  const onTableEvent = (table: Running | undefined, pair: TablePair, event: AnyTableEvent): void => {
    const { message, stats } = event;
    switch (event.type) {
      case 'step':
        if (table && typeof message === 'string') table.step = message;
        if (typeof message === 'string')
          output.event('step', { source: pair.source, target: pair.target, message });
        if (verbosity === 'verbose' && typeof message === 'string') print(`${label(pair)}: ${message}`);
        break;
      case 'warning':
        // Warnings show even with --quiet: they say what was not copied. The same words for many
        // tables (an endpoint without tags) are said once, for the first table.
        if (typeof message === 'string' && !saidWarnings.has(message)) {
          saidWarnings.add(message);
          output.event('warning', { source: pair.source, target: pair.target, message });
          print(`warning: ${label(pair)}: ${message}`);
        }
        break;
      case 'copy-started':
        if (table && stats) table.stats = { kind: 'copy', stats: stats as CopyStats };
        break;
      case 'scan-started':
        if (table && stats) table.stats = { kind: 'verify', stats: stats as VerifyStats };
        break;
    }
  };

  const onFinished = (index: number, pair: TablePair, summary: unknown, error: Error | undefined): void => {
    const table = running.get(index);
    running.delete(index);
    const result = tableResult(summary);
    const ok = !error && (result.status === 'completed' || result.status === 'identical');
    if (ok) done += 1;
    else failed += 1;
    const items = result.items ?? (table?.stats?.kind === 'copy' ? table.stats.stats.itemsWritten : 0);
    finishedItems += items;
    finishedBytes += result.bytes ?? (table?.stats?.kind === 'copy' ? table.stats.stats.bytesWritten : 0);
    finishedShares.set(key(pair), items);
    const durationMs = result.durationMs ?? (table ? performance.now() - table.startedAt : 0);
    const errorMessage = error?.message ?? result.error;
    output.event('table', {
      event: 'finished',
      source: pair.source,
      target: pair.target,
      status: ok ? result.status : (result.status ?? 'failed'),
      items,
      durationMs: Math.round(durationMs),
      ...(errorMessage !== undefined ? { error: errorMessage } : {}),
    });
    // Failures show even with --quiet, like errors.
    if (!quiet || !ok) {
      const line = tty
        ? ok
          ? `✓ ${label(pair)}: ${formatCount(items)} items in ${formatDuration(durationMs)}`
          : `✗ ${label(pair)}: ${errorMessage ?? `${result.status}, ${formatCount(items)} items in ${formatDuration(durationMs)}`}`
        : errorMessage !== undefined
          ? `${label(pair)}: ${result.status === 'interrupted' ? 'interrupted' : 'failed'} after ${formatDuration(durationMs)}: ${errorMessage}`
          : `${label(pair)}: ${result.status}, ${formatCount(items)} items${result.bytes !== undefined ? `, ${formatBytes(result.bytes)}` : ''} in ${formatDuration(durationMs)}`;
      print(line);
    }
    if (table?.bar && bars) {
      bars.remove(table.bar);
      refreshBars();
    }
  };

  const onEvent = (event: AnyTablesEvent): void => {
    switch (event.type) {
      case 'selected':
        pairs = event.pairs;
        labelWidth = Math.max('total'.length, ...pairs.map((pair) => label(pair).length));
        skipped = new Set();
        output.event('step', { message: `${GERUNDS[noun]} ${pairs.length} table(s)`, tables: pairs.length });
        if (!quiet) {
          const n = pairs.length;
          print(
            `${GERUNDS[noun]} ${n} ${n === 1 ? 'table' : 'tables'}, up to ${event.parallelTables} at a time`,
          );
        }
        break;
      case 'planned':
        // The command prints the plan itself; the estimates give the total line its ETA.
        for (const entry of event.entries) estimates.set(key(entry.pair), entry.estimate.items);
        break;
      case 'table-started': {
        firstStartedAt ??= performance.now();
        const table: Running = {
          pair: event.pair,
          label: label(event.pair),
          startedAt: performance.now(),
          stats: undefined,
          step: undefined,
          bar: undefined,
        };
        running.set(event.index, table);
        output.event('table', { event: 'started', source: event.pair.source, target: event.pair.target });
        startBars();
        startLines();
        if (bars) table.bar = bars.create(1, 0, tablePayload(table));
        else if (!quiet) print(`${table.label}: started`);
        break;
      }
      case 'table-event':
        onTableEvent(running.get(event.index), event.pair, event.event);
        break;
      case 'table-finished':
        onFinished(event.index, event.pair, event.summary, event.error);
        break;
      case 'table-skipped':
        skipped.add(key(event.pair));
        output.event('table', { event: 'skipped', source: event.pair.source, target: event.pair.target });
        if (!quiet) print(`- ${label(event.pair)}: done in an earlier run, not touched`);
        break;
      case 'warning':
        output.event('warning', { message: event.message });
        print(`warning: ${event.message}`);
        break;
    }
  };

  const close = (): void => {
    if (!closed && json) sendTotal();
    closed = true;
    if (timer) clearInterval(timer);
    if (jsonTimer.current) clearInterval(jsonTimer.current);
    timer = undefined;
    if (bars) {
      refreshBars();
      // update() draws once more and writes what log() queued; stop() alone would drop it.
      bars.update();
      bars.stop();
    }
    bars = undefined;
    totalBar = undefined;
    for (const table of running.values()) table.bar = undefined;
  };

  return { onEvent, close };
}

/** Draws one line of the MultiBar from its payload: `head bar pct% | tail`, or `head | tail` without a bar. */
function formatLine(options: cliProgress.Options, _params: cliProgress.Params, payload: LinePayload): string {
  if (payload.progress === undefined) return ` ${payload.head} | ${payload.tail}`;
  const progress = Math.min(1, Math.max(0, payload.progress));
  const bar = cliProgress.Format.BarFormat(progress, options);
  const percent = `${Math.floor(progress * 100)}%`.padStart(4);
  return ` ${payload.head} ${bar} ${percent} | ${payload.tail}`;
}

function key(pair: TablePair): string {
  return `${pair.source}\u0000${pair.target}`;
}

/** cli-progress keeps its redraw timer private; unref it so a missed close() cannot hold the process. */
function unrefTimer(bars: cliProgress.MultiBar | undefined): void {
  const internal = (bars as unknown as { timer?: { unref?: () => void } | null } | undefined)?.timer;
  internal?.unref?.();
}
