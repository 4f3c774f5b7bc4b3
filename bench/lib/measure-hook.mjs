/**
 * Preloaded into every measured client process (`node --import ./measure-hook.mjs ...`): when the
 * process exits, it writes its own resource usage (CPU of all its threads, peak RSS) as JSON to the
 * file named by BENCH_USAGE_FILE, with the peaks of V8's heap and of memory outside it (Buffers),
 * sampled every 50 ms, to tell what a peak RSS is made of. A process killed with SIGKILL writes nothing.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  const peak = { heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], usage[key]);
  };
  setInterval(sample, 50).unref();
  process.on('exit', (code) => {
    sample();
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        pid: process.pid,
        exitCode: code,
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
        maxRssKb: usage.maxRSS,
        uptimeMs: process.uptime() * 1000,
        peakMb: Object.fromEntries(Object.entries(peak).map(([key, bytes]) => [key, bytes / 1048576])),
      }),
    );
  });
}
