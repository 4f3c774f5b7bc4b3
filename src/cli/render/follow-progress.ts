import type { FollowStats } from '../../index.js';
import { formatCount } from './format.js';
import type { ProgressView } from './progress.js';

/**
 * Shows a follow's progress on stderr: one line redrawn twice a second on a terminal, a line every
 * five seconds otherwise. Lag is what a cut-over waits for; records/s is what the source writes.
 */
export function startFollowProgress(stats: FollowStats, stream: NodeJS.WriteStream): ProgressView {
  const tty = stream.isTTY === true;
  const draw = (): void => {
    if (tty) stream.write(`\r\x1b[2K ${followLine(stats)}`);
    else stream.write(`${followLine(stats)}\n`);
  };
  const timer = setInterval(draw, tty ? 500 : 5_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) {
        draw();
        stream.write('\n');
      }
    },
  };
}

export function followLine(stats: FollowStats): string {
  const shards = stats.shardsReading + stats.shardsDone;
  return `following: ${stats.lagSeconds()} s behind, ${formatCount(stats.recordsPerSecond())} records/s, ${formatCount(stats.records)} records applied (${formatCount(stats.puts)} puts, ${formatCount(stats.deletes)} deletes), ${stats.shardsReading} shard(s) open${shards > stats.shardsReading ? `, ${stats.shardsDone} done` : ''}`;
}
