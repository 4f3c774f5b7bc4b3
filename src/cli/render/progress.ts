import { clearLine, cursorTo } from 'node:readline';
import cliProgress from 'cli-progress';
import {
  type CopyStats,
  type ProgressSnapshot,
  progressSnapshot,
  type RateSample,
  type RecentRates,
  type RetryCounts,
  rateSample,
  ratesBetween,
} from '../../index.js';
import type { Output } from '../output/output.js';
import { formatBytes, formatCount, formatDuration } from './format.js';

/** Shows progress until stopped; `print` writes a whole line without drawing over a bar. */
export interface ProgressView {
  print(line: string): void;
  stop(): void;
}

/** How often the bar is redrawn on a terminal. */
const BAR_REFRESH_MS = 200;
/** How often a line is considered without a terminal (and for the log): written only when it changed. */
export const LINE_INTERVAL_MS = 5_000;
/** How often `--progress json` sends a progress event, changed or not: a wrapper can tell it is alive. */
export const JSON_INTERVAL_MS = 2_000;
/** The window recent rates are measured over: long enough to smooth batches, short enough to follow a cap. */
const RATE_WINDOW_MS = 5_000;

/**
 * A copy's (or an export's, an import's) progress: a bar with WCU/s and RCU/s on a terminal, a
 * timestamped line when something changed otherwise, JSON events with --progress json, and the lines
 * in the log file whatever stderr shows. `verb` says what the count is ('copied', 'exported', ...).
 */
export function startProgress(stats: CopyStats, output: Output, verb = 'copied'): ProgressView {
  const rates = recentRates(stats);
  const bar = output.progress === 'bar' ? startBar(stats, output.terminal, rates) : undefined;
  const others: Stoppable[] = [];
  if (output.progress === 'lines' || output.log) others.push(startLines(stats, output, rates, verb));
  if (output.progress === 'json') others.push(startJson(stats, output, rates));
  return {
    print(line) {
      if (!bar) return output.line(line);
      bar.print(line);
      output.log?.line(line);
    },
    stop() {
      // The bar first: its last frame ends its line before any other line is written.
      bar?.stop();
      for (const view of others) view.stop();
    },
  };
}

interface Stoppable {
  stop(): void;
}

/** Rates over the last few seconds, from samples taken whenever someone asks. */
export function recentRates(stats: CopyStats): () => RecentRates {
  const samples: RateSample[] = [rateSample(stats)];
  return () => {
    const now = rateSample(stats);
    samples.push(now);
    while (samples.length > 2 && now.atMs - samples[1]!.atMs >= RATE_WINDOW_MS) samples.shift();
    return ratesBetween(samples[0]!, now);
  };
}

function startBar(stats: CopyStats, stream: NodeJS.WriteStream, rates: () => RecentRates): ProgressView {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        ' {bar} {percentage}% | {items} items | {bytes} | {rate} items/s | {capacity} | ETA {eta_text}{retries}',
      barsize: 25,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
      // Our own timer draws; cli-progress's would keep drawing until stop.
      fps: 1000 / BAR_REFRESH_MS,
    },
    cliProgress.Presets.shades_classic,
  );
  let recent = rates();
  const draw = (): void => {
    const s = progressSnapshot(stats);
    bar.setTotal(Math.max(1, s.totalItems));
    bar.update(s.itemsDone, barValues(s, recent));
  };
  const first = progressSnapshot(stats);
  bar.start(Math.max(1, first.totalItems), first.itemsDone, barValues(first, recent));
  let ticks = 0;
  const timer = setInterval(() => {
    // Rates move every second; the bar every frame.
    if (++ticks % 5 === 0) recent = rates();
    draw();
  }, BAR_REFRESH_MS);
  timer.unref();
  let stopped = false;
  return {
    print(line) {
      if (stopped) {
        stream.write(`${line}\n`);
        return;
      }
      // The line takes the bar's row; the bar is drawn again below it.
      cursorTo(stream, 0);
      clearLine(stream, 0);
      stream.write(`${line}\n`);
      // render(force) is public in cli-progress, missing from its types: the bar only redraws on change.
      (bar as unknown as { render(force: boolean): void }).render(true);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      recent = rates();
      draw();
      // Draws the last frame and ends its line: what follows starts on a line of its own.
      bar.stop();
    },
  };
}

function startLines(stats: CopyStats, output: Output, rates: () => RecentRates, verb: string): Stoppable {
  let last = '';
  const say = (): void => {
    const s = progressSnapshot(stats);
    const key = changeKey(s);
    // An idle wait (a throttled table, a long describe) says nothing new: no line.
    if (key === last) return;
    last = key;
    output.progressLine(progressLine(s, rates(), verb));
  };
  const timer = setInterval(say, LINE_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      say();
    },
  };
}

function startJson(stats: CopyStats, output: Output, rates: () => RecentRates): Stoppable {
  const send = (): void => output.event('progress', progressFields(progressSnapshot(stats), rates()));
  const timer = setInterval(send, JSON_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      send();
    },
  };
}

/** What changes when work is done: counts, capacity and retries, never the clock. */
function changeKey(s: ProgressSnapshot): string {
  return [
    s.itemsDone,
    s.itemsScanned,
    s.bytesDone,
    s.consumedRead,
    s.consumedWrite,
    totalRetries(s.retries),
  ].join(',');
}

/** The fields of a `--progress json` progress event. */
export function progressFields(s: ProgressSnapshot, recent: RecentRates): Record<string, unknown> {
  return {
    items: s.itemsDone,
    itemsThisRun: s.itemsWritten,
    itemsExpected: s.totalItems,
    itemsScanned: s.itemsScanned,
    bytes: s.bytesDone,
    itemsPerSecond: round(recent.itemsPerSecond),
    wcuPerSecond: round(recent.writeUnitsPerSecond),
    rcuPerSecond: round(recent.readUnitsPerSecond),
    writeRateCap: s.writeRateCap ?? null,
    readRateCap: s.readRateCap ?? null,
    consumedCapacity: { read: round(s.consumedRead), write: round(s.consumedWrite) },
    elapsedMs: Math.round(s.elapsedMs),
    etaMs: s.etaMs === undefined ? null : Math.round(s.etaMs),
    retries: s.retries,
  };
}

/** One progress line: what is done of what is expected, the rates now, capacity against the caps. */
export function progressLine(s: ProgressSnapshot, recent: RecentRates, verb = 'copied'): string {
  const percent =
    s.totalItems > 0 ? ` (${Math.min(100, Math.floor((s.itemsDone / s.totalItems) * 100))}%)` : '';
  const eta = s.etaMs === undefined ? '' : `, ETA ${formatDuration(s.etaMs)}`;
  const retries = totalRetries(s.retries);
  const before = s.itemsBefore > 0 ? ` (${formatCount(s.itemsBefore)} before this run)` : '';
  return `${verb} ${formatCount(s.itemsDone)}${s.totalItems ? `/${formatCount(s.totalItems)}` : ''} items${percent}${before}, ${formatBytes(s.bytesDone)}, ${formatCount(recent.itemsPerSecond)} items/s, ${capacityText(s, recent)}${eta}${retries ? `, ${retries} retries` : ''}`;
}

/** `12 WCU/s of 100`, `3 RCU/s`: the capacity consumed now, against the cap when there is one. */
export function capacityText(s: ProgressSnapshot, recent: RecentRates): string {
  const part = (units: number, cap: number | undefined, unit: string): string =>
    `${formatCount(units)} ${unit}/s${cap === undefined ? '' : ` of ${formatCount(cap)}`}`;
  return `${part(recent.writeUnitsPerSecond, s.writeRateCap, 'WCU')}, ${part(recent.readUnitsPerSecond, s.readRateCap, 'RCU')}`;
}

function barValues(s: ProgressSnapshot, recent: RecentRates): Record<string, string> {
  const retries = totalRetries(s.retries);
  return {
    items: `${formatCount(s.itemsDone)}/${formatCount(s.totalItems)}`,
    bytes: formatBytes(s.bytesDone),
    rate: formatCount(recent.itemsPerSecond),
    capacity: capacityText(s, recent),
    eta_text: s.etaMs === undefined ? '-' : formatDuration(s.etaMs),
    retries: retries ? ` | retries ${retries}` : '',
  };
}

function totalRetries(retries: RetryCounts): number {
  return retries.unprocessedItems + retries.throttled + retries.errors + retries.expiredCredentials;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
