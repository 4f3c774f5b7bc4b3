import cliProgress from 'cli-progress';
import { type VerifyStats, verifyProgressSnapshot } from '../../index.js';
import type { Output } from '../output/output.js';
import { formatCount, formatDuration } from './format.js';
import { JSON_INTERVAL_MS, LINE_INTERVAL_MS, type ProgressView } from './progress.js';

/**
 * Shows one scan phase of a verify: a bar on a terminal, a timestamped line when something changed
 * otherwise (and in the log), JSON events with --progress json.
 */
export function startVerifyProgress(stats: VerifyStats, output: Output): ProgressView {
  const bar = output.progress === 'bar' ? startBar(stats, output.terminal) : undefined;
  const timers: NodeJS.Timeout[] = [];
  let last = '';
  const say = (): void => {
    const s = verifyProgressSnapshot(stats);
    const key = `${s.scanned},${s.retries}`;
    if (key === last) return;
    last = key;
    output.progressLine(verifyProgressLine(stats));
  };
  const send = (): void => {
    const s = verifyProgressSnapshot(stats);
    output.event('progress', {
      phase: phaseName(stats),
      items: s.scanned,
      itemsExpected: s.expected,
      itemsPerSecond: Math.round(s.itemsPerSecond * 10) / 10,
      elapsedMs: Math.round(stats.phaseElapsedMs),
      etaMs: s.etaMs === undefined ? null : Math.round(s.etaMs),
      retries: s.retries,
    });
  };
  const lines = output.progress === 'lines' || output.log !== undefined;
  const json = output.progress === 'json';
  for (const [wanted, ms, run] of [
    [lines, LINE_INTERVAL_MS, say],
    [json, JSON_INTERVAL_MS, send],
  ] as const) {
    if (!wanted) continue;
    const timer = setInterval(run, ms);
    timer.unref();
    timers.push(timer);
  }
  return {
    print(line) {
      if (!bar) return output.line(line);
      bar.print(line);
      output.log?.line(line);
    },
    stop() {
      bar?.stop();
      for (const timer of timers) clearInterval(timer);
      if (lines) say();
      if (json) send();
    },
  };
}

function startBar(stats: VerifyStats, stream: NodeJS.WriteStream): ProgressView {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        ' {phase} {bar} {percentage}% | {items} items | {rate} items/s | ETA {eta_text} | retries {retries}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const initial = verifyProgressSnapshot(stats);
  bar.start(Math.max(1, initial.expected), 0, values(stats));
  const update = (): void => {
    const snapshot = verifyProgressSnapshot(stats);
    // ItemCount lags on AWS: grow the total rather than show more than 100 %.
    if (snapshot.scanned > bar.getTotal()) bar.setTotal(snapshot.scanned);
    bar.update(snapshot.scanned, values(stats));
  };
  const timer = setInterval(update, 200);
  timer.unref();
  let stopped = false;
  return {
    print(line) {
      stream.write(`\r\x1b[2K${line}\n`);
      // render(force) is public in cli-progress, missing from its types: the bar only redraws on change.
      if (!stopped) (bar as unknown as { render(force: boolean): void }).render(true);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      update();
      bar.stop();
    },
  };
}

export function verifyProgressLine(stats: VerifyStats): string {
  const s = verifyProgressSnapshot(stats);
  const percent = s.expected > 0 ? ` (${Math.min(100, Math.floor((s.scanned / s.expected) * 100))}%)` : '';
  const eta = s.etaMs === undefined ? '' : `, ETA ${formatDuration(s.etaMs)}`;
  const retries = s.retries ? `, ${s.retries} retries` : '';
  return `${phaseName(stats)}: scanned ${formatCount(s.scanned)}${s.expected ? `/${formatCount(s.expected)}` : ''} items${percent}, ${formatCount(s.itemsPerSecond)} items/s${eta}${retries}`;
}

function phaseName(stats: VerifyStats): string {
  return stats.phase === 'digest' ? 'digest' : `drill-down ${stats.pass}/${stats.passes}`;
}

function values(stats: VerifyStats): Record<string, string> {
  const s = verifyProgressSnapshot(stats);
  return {
    phase: phaseName(stats),
    items: formatCount(s.scanned),
    rate: formatCount(s.itemsPerSecond),
    eta_text: s.etaMs === undefined ? '-' : formatDuration(s.etaMs),
    retries: String(s.retries),
  };
}
