import cliProgress from 'cli-progress';
import { type CopyStats, progressSnapshot, type RetryCounts } from '../../index.js';
import { formatBytes, formatCount, formatDuration } from './format.js';

/** Shows copy progress on stderr until stopped: a bar on a terminal, a log line every few seconds otherwise. */
export interface ProgressView {
  stop(): void;
}

export function startProgress(stats: CopyStats, stream: NodeJS.WriteStream): ProgressView {
  return stream.isTTY ? startBar(stats, stream) : startLines(stats, stream);
}

function startBar(stats: CopyStats, stream: NodeJS.WriteStream): ProgressView {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        ' {bar} {percentage}% | {items} items | {bytes} | {rate} items/s | ETA {eta_text} | retries {retries}',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, stats.expectedItems), 0, values(stats));
  const timer = setInterval(() => {
    const snapshot = progressSnapshot(stats);
    // ItemCount lags on AWS: grow the total rather than show more than 100 %.
    if (snapshot.itemsWritten > bar.getTotal()) bar.setTotal(snapshot.itemsWritten);
    bar.update(snapshot.itemsWritten, values(stats));
  }, 200);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      bar.update(stats.itemsWritten, values(stats));
      bar.stop();
    },
  };
}

function startLines(stats: CopyStats, stream: NodeJS.WriteStream): ProgressView {
  const timer = setInterval(() => stream.write(`${progressLine(stats)}\n`), 5_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
    },
  };
}

export function progressLine(stats: CopyStats): string {
  const s = progressSnapshot(stats);
  const percent =
    s.expectedItems > 0 ? ` (${Math.min(100, Math.floor((s.itemsWritten / s.expectedItems) * 100))}%)` : '';
  const eta = s.etaMs === undefined ? '' : `, ETA ${formatDuration(s.etaMs)}`;
  const retries = totalRetries(s.retries);
  return `copied ${formatCount(s.itemsWritten)}${s.expectedItems ? `/${formatCount(s.expectedItems)}` : ''} items${percent}, ${formatBytes(s.bytesWritten)}, ${formatCount(s.itemsPerSecond)} items/s${eta}${retries ? `, ${retries} retries` : ''}`;
}

function values(stats: CopyStats): Record<string, string> {
  const s = progressSnapshot(stats);
  return {
    items: formatCount(s.itemsWritten),
    bytes: formatBytes(s.bytesWritten),
    rate: formatCount(s.itemsPerSecond),
    eta_text: s.etaMs === undefined ? '-' : formatDuration(s.etaMs),
    retries: String(totalRetries(s.retries)),
  };
}

function totalRetries(retries: RetryCounts): number {
  return retries.unprocessedItems + retries.throttled + retries.errors + retries.expiredCredentials;
}
