#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// The AWS SDK warns on every run under Node 20 that future SDK releases will need Node 22. This
// release supports Node >= 20 with the SDK pinned in the lock file, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A copy's items live for tens of milliseconds (scanned, queued, written): long enough to reach V8's
// old generation, which V8 lets grow to up to four times what is live before it collects it again.
// Letting it only double cut peak RSS by about a third on the 1 KB-item benchmark for little CPU
// (50 % saved another ~15 MB for ~10 % more CPU; README "Performance"). The process is ours to
// tune; the library leaves the embedder's heap alone.
const HEAP_GROWING_PERCENT = 100;
v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) buildClone(root);
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

/**
 * A published package ships dist/; a clone has only src/ until it is built. The first run from a
 * clone builds it here, so the README's quick start (`npm ci && npx ddbcopy demo`) works without a
 * `prepare` script, which would run the compiler on every `npm install` in the repository (and delete
 * dist/ under anything running from it). Later changes to src/ need `npm run build`, as `npm test`
 * does. Two first runs at once each build into their own directory; the first rename wins.
 */
function buildClone(root) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(path.join(root, 'src')) || !existsSync(tsc)) {
    process.stderr.write(
      `error: ${path.join(root, 'dist')} is missing, and this is not a clone that can build it.\n` +
        'hint: reinstall ddbcopy; in a clone, run `npm ci && npm run build`.\n',
    );
    process.exit(1);
  }
  process.stderr.write('Building dist/ from src/ (once, on the first run from a clone)...\n');
  const building = path.join(root, `dist.building-${process.pid}`);
  const build = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', building],
    { stdio: ['ignore', 2, 2] },
  );
  if (build.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    process.stderr.write('error: the build failed (above).\nhint: run `npm ci`, then `npm run build`.\n');
    process.exit(1);
  }
  try {
    renameSync(building, path.join(root, 'dist'));
  } catch {
    // Another first run renamed its build into place first; both built the same sources.
    rmSync(building, { recursive: true, force: true });
  }
}
