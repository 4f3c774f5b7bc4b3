/**
 * Preloaded into every measured client process (`node --import ./measure-hook.mjs ...`): when the
 * process exits, it writes its own resource usage (CPU of all its threads, peak RSS) as JSON to the
 * file named by BENCH_USAGE_FILE. A process killed with SIGKILL writes nothing, as expected.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', (code) => {
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
      }),
    );
  });
}
