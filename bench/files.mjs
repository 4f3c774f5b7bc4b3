/**
 * Export and import files: `npm run bench:files [-- --quick] [--no-build]`.
 *
 * 1. `ddbcopy export` of 100,000 and of a larger number of 1 KB items served by the stub endpoint
 *    (bench/stub-dynamodb.mjs, so the scan costs the client only): items/s, client CPU, peak RSS, and
 *    whether memory stays flat as the table grows.
 * 2. `ddbcopy import` of the 100,000-item export into DynamoDB Local: items/s and peak RSS (the server's
 *    write speed is the limit there, as for a copy).
 * Prints a table and writes bench/files-results.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI,
  newAccount,
  ROOT,
  runMeasured,
  startLocal,
  startStub,
  summaryOf,
  writeProfiles,
} from './lib/harness.mjs';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false } },
});
const SMALL = 100_000;
const LARGE = flags.quick ? 300_000 : 1_000_000;
const ITEM_BYTES = 1000;
const RSS_GOAL_MB = 150;

const log = (message) => process.stderr.write(`[bench:files] ${message}\n`);
const int = (n) => Math.round(n).toLocaleString('en-US');

if (!flags['no-build']) {
  log('building');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
const tempDir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-bench-files-'));
const stub = await startStub();
let local;
try {
  const stubAccount = newAccount('filesstub', stub.endpoint, 'us-east-1');
  await stub.trust(stubAccount);
  log('starting DynamoDB Local');
  local = await startLocal(3072, (message) => log(`dynamodb-local: ${message}`));
  const target = newAccount('filestarget', local.endpoint, 'eu-west-1');
  const env = writeProfiles(path.join(tempDir, 'aws'), [stubAccount, target]);
  const run = (command, args) =>
    runMeasured({ script: CLI, args: [command, ...args, '--json'], env, tempDir });

  const exports = [];
  for (const items of [SMALL, LARGE]) {
    const table = `files_src_${items}`;
    await stub.define({ name: table, items, itemBytes: ITEM_BYTES });
    const out = path.join(tempDir, `export-${items}`);
    log(`export of ${int(items)} items`);
    const measured = await run('export', [
      '--source',
      table,
      '--source-profile',
      stubAccount.name,
      '--source-endpoint-url',
      stub.endpoint,
      '--out',
      out,
    ]);
    const summary = summaryOf(measured, `export of ${items} items`);
    if (summary.status !== 'completed' || summary.items.written !== items) {
      throw new Error(`export of ${items} items: ${summary.status}, ${summary.items.written} written`);
    }
    exports.push({ items, out, measured, summary, diskBytes: directoryBytes(out) });
  }

  const small = exports[0];
  log(`import of ${int(SMALL)} items into DynamoDB Local`);
  const imported = await run('import', [
    '--from',
    small.out,
    '--target',
    'files_dst',
    '--target-profile',
    target.name,
    '--target-endpoint-url',
    local.endpoint,
    '--yes',
    '--checkpoint',
    path.join(tempDir, 'import-checkpoint.json'),
  ]);
  const importSummary = summaryOf(imported, 'import');
  if (importSummary.status !== 'completed' || importSummary.items.written !== SMALL) {
    throw new Error(`import: ${importSummary.status}, ${importSummary.items.written} written`);
  }

  const [a, b] = exports.map((e) => e.measured.maxRssMb);
  const rows = [
    ...exports.map((e) => [
      `export ${int(e.items)} items (stub)`,
      int(e.summary.itemsPerSecond),
      ((e.measured.cpuMs / e.items) * 100).toFixed(2),
      int(e.measured.maxRssMb),
      `${e.summary.export.files} files, ${(e.diskBytes / 1e6).toFixed(1)} MB gzip`,
    ]),
    [
      `import ${int(SMALL)} items (DynamoDB Local)`,
      int(importSummary.itemsPerSecond),
      ((imported.cpuMs / SMALL) * 100).toFixed(2),
      int(imported.maxRssMb),
      `${importSummary.segments} segments`,
    ],
  ];
  const flat = Math.abs(b - a) / Math.min(a, b);
  const header = ['run', 'items/s', 'client CPU-s per 100k', 'peak RSS MB', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const format = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  process.stdout.write(
    `\n${format(header)}\n${rows.map(format).join('\n')}\n\n` +
      `export memory: ${int(a)} MB at ${int(SMALL)} items vs ${int(b)} MB at ${int(LARGE)} items: ` +
      `${(flat * 100).toFixed(1)} % apart (goal ≤ 10 %), ${Math.max(a, b) <= RSS_GOAL_MB ? 'within' : 'above'} the ${RSS_GOAL_MB} MB goal\n`,
  );
  writeFileSync(
    path.join(ROOT, 'bench', 'files-results.json'),
    `${JSON.stringify(
      {
        quick: flags.quick,
        machine: { cpus: os.availableParallelism(), node: process.version },
        exports: exports.map((e) => ({
          items: e.items,
          itemsPerSecond: e.summary.itemsPerSecond,
          cpuMs: e.measured.cpuMs,
          maxRssMb: e.measured.maxRssMb,
          files: e.summary.export.files,
          diskBytes: e.diskBytes,
        })),
        import: {
          items: SMALL,
          itemsPerSecond: importSummary.itemsPerSecond,
          cpuMs: imported.cpuMs,
          maxRssMb: imported.maxRssMb,
        },
        exportRssApart: flat,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  stub.stop();
  await local?.stop();
  rmSync(tempDir, { recursive: true, force: true });
}

function directoryBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}
