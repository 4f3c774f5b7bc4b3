import type { FollowStats } from '../../index.js';
import type { Output } from '../output/output.js';
import { formatCount } from './format.js';
import { JSON_INTERVAL_MS, LINE_INTERVAL_MS, type ProgressView } from './progress.js';

/**
 * Shows a follow's progress: one line redrawn twice a second on a terminal; a timestamped line when
 * something changed otherwise (and in the log); JSON events with --progress json. Lag is what a
 * cut-over waits for; records/s is what the source writes.
 */
export function startFollowProgress(stats: FollowStats, output: Output): ProgressView {
  const stream = output.terminal;
  const bar = output.progress === 'bar';
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, run: () => void): void => {
    const timer = setInterval(run, ms);
    timer.unref();
    timers.push(timer);
  };
  const draw = (): void => {
    stream.write(`\r\x1b[2K ${followLine(stats)}`);
  };
  let last = '';
  const say = (): void => {
    // An idle stream (no change for hours) says nothing new: no line.
    const key = [stats.records, stats.puts, stats.deletes, stats.shardsReading, stats.shardsDone].join(',');
    if (key === last) return;
    last = key;
    output.progressLine(followLine(stats));
  };
  const send = (): void => output.event('progress', followFields(stats));
  if (bar) every(500, draw);
  if (output.progress === 'lines' || output.log) every(LINE_INTERVAL_MS, say);
  if (output.progress === 'json') every(JSON_INTERVAL_MS, send);
  let stopped = false;
  return {
    print(line) {
      if (bar && !stopped) {
        stream.write(`\r\x1b[2K${line}\n`);
        draw();
      } else output.line(line);
      if (bar) output.log?.line(line);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      if (bar) {
        draw();
        stream.write('\n');
      }
      if (output.progress === 'lines' || output.log) say();
      if (output.progress === 'json') send();
    },
  };
}

export function followLine(stats: FollowStats): string {
  const shards = stats.shardsReading + stats.shardsDone;
  return `following: ${stats.lagSeconds()} s behind, ${formatCount(stats.recordsPerSecond())} records/s, ${formatCount(stats.records)} records applied (${formatCount(stats.puts)} puts, ${formatCount(stats.deletes)} deletes), ${formatCount(stats.elapsedMs > 0 ? stats.consumedWrite / (stats.elapsedMs / 1000) : 0)} WCU/s, ${stats.shardsReading} shard(s) open${shards > stats.shardsReading ? `, ${stats.shardsDone} done` : ''}`;
}

/** The fields of a follow's `--progress json` progress event. */
function followFields(stats: FollowStats): Record<string, unknown> {
  const seconds = stats.elapsedMs / 1000;
  return {
    lagSeconds: stats.lagSeconds(),
    records: stats.records,
    recordsPerSecond: stats.recordsPerSecond(),
    puts: stats.puts,
    deletes: stats.deletes,
    wcuPerSecond: seconds > 0 ? Math.round((stats.consumedWrite / seconds) * 10) / 10 : 0,
    consumedCapacity: { write: Math.round(stats.consumedWrite * 10) / 10 },
    shards: { open: stats.shardsReading, done: stats.shardsDone },
    elapsedMs: Math.round(stats.elapsedMs),
  };
}
