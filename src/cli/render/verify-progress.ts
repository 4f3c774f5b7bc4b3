import cliProgress from 'cli-progress';
import { type VerifyStats, verifyProgressSnapshot } from '../../index.js';
import { formatCount, formatDuration } from './format.js';
import type { ProgressView } from './progress.js';

/** Shows one scan phase of a verify on stderr: a bar on a terminal, a log line every 5 seconds otherwise. */
export function startVerifyProgress(stats: VerifyStats, stream: NodeJS.WriteStream): ProgressView {
  return stream.isTTY ? startBar(stats, stream) : startLines(stats, stream);
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
  return {
    stop() {
      clearInterval(timer);
      update();
      bar.stop();
    },
  };
}

function startLines(stats: VerifyStats, stream: NodeJS.WriteStream): ProgressView {
  const timer = setInterval(() => stream.write(`${verifyProgressLine(stats)}\n`), 5_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
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
