#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--rows 1,4] [--profile] [--perf] [--capacity-upstream stub|local] [--no-build]`
 *
 * Builds dist/, then measures ddbcopy (the built CLI, each run its own process) in nine scenarios and
 * prints one table in which every figure is set against a reference measured in the same run (the
 * SDK v3 reference copier, the npm peer, DynamoDB Local's own write ceiling, a plain copy beside a
 * masked one) or, labelled so, against a goal, a constant (the simulated 4,000 WCU cap, the AWS
 * pattern's ~300 s estimate) or a figure derived from constants (the seed's physical minimum): each
 * line's `basis`. It writes bench/results.json and regenerates the README's Performance table from it
 * (bench/readme-table.mjs, also `npm run bench:readme`). With --rows, the rows run replace theirs in
 * bench/results.json and the others stay, each stamped with the run that measured it; the README
 * table names each row's run when they differ. Nothing here asserts on timing: it reports.
 *
 * The stub (bench/stub-dynamodb.mjs, its own process) checks every request as DynamoDB would: the
 * SigV4 signature (test/harness/sigv4-check.mjs), then each BatchWriteItem body parsed and every item
 * checked, one body in 16 compared with the source items. "Items lost" counts only items it accepted;
 * a refused request or a changed item fails the line. What the checks cost the stub: row 1's "stub
 * CPU-s per 100k items" line, beside the client's.
 *
 *   1 ceiling      ddbcopy against the stub (Scan and BatchWriteItem, no storage): items/s, MB/s, CPU-s
 *                  per 100k items, peak RSS, items lost; the same copy with --workers 2; and the SDK v3
 *                  reference copier (bench/lib/reference-copier.mjs: low-level DynamoDBClient, 8 Scan
 *                  segments, 16 BatchWriteItem writers, UnprocessedItems retried with backoff) on the
 *                  same table: items/s, CPU-s per 100k and peak RSS, ours ÷ its
 *   2 peer         the same table copied on DynamoDB Local by ddbcopy, by copy-dynamodb-table and by the
 *                  SDK v3 reference copier, and DynamoDB Local's write ceiling (bench/lib/loader.mjs, a
 *                  bare parallel loader)
 *   3 capacity     ddbcopy into a table capped at 4,000 WCU/s by the fault proxy, with --write-rate 4000
 *                  and without a rate (throttling feedback only): consumed WCU/s ÷ cap, items lost
 *   4 memory       peak RSS copying a small and a large table from the stub
 *   5 seed         200,000 items of 1.25 KB under 4,000 WCU: measured on a short run, projected
 *   6 resume       kill -9 mid-copy, --resume: items written twice per segment, in scan pages
 *   7 many tables  on DynamoDB Local, 20 tables × 5,000 items copied by one `copy --tables` process vs
 *                  one process per table in sequence (goal ≥ 3× faster) vs one table of 100,000 items
 *                  in one process (goal: the set no slower); best of 2 (1 in --quick), into a fresh
 *                  account each run
 *   8 masks/filter on the stub (where the client's CPU is the limit), the same table copied plain, with three
 *                  masks (hash, fake:email, a nested redact; goal: ≥ 50 % of the plain items/s) and with a
 *                  --filter-expression keeping 10 % of the items (goal: client CPU per scanned item ≤ the
 *                  plain copy's); interleaved, best of 2
 *   9 follow       on DynamoDB Local, a source table with a stream (NEW_AND_OLD_IMAGES) and an empty target in
 *                  another account: (a) catch-up: 50,000 × 1 KB changes queued in the stream before
 *                  `ddbcopy follow --from trim-horizon --until-caught-up` starts; its records/s vs DynamoDB
 *                  Local's own write ceiling (goal ≥ 80 %) and vs a bare follower (bench/lib/stream-follower.mjs),
 *                  target count checked; (b) lag under steady load: `ddbcopy follow` running while
 *                  bench/lib/lag-probe.mjs writes 500 items/s for 40 s and every 200 ms puts a probe item
 *                  into the source and polls the target until it is there (end-to-end lag: the stream's
 *                  timestamps are rounded to the minute in Local); p50, p99 (goal ≤ 2 s), max; then SIGINT.
 *                  Each phase starts a DynamoDB Local of its own (writes into a stream table there slow
 *                  down with the records other streams hold)
 *
 * --profile adds one ceiling run under `node --cpu-prof` and prints where its CPU went (JavaScript
 * functions and modules); --perf adds one under Linux `perf record` (CPU of every thread, with V8's
 * C++ such as JSON.parse/stringify and GC, and the kernel). Rows 3 and 5 put the capped fault proxy in
 * front of the stub's sink by default (the proxy checks the capped account's signatures, as it
 * rewrites those requests); --capacity-upstream local puts DynamoDB Local behind it instead.
 * Each row also lists how it was measured. --quick: smaller tables; every row, the reference copier
 * and --workers 2 included, took 250 s on an idle 2-core machine (2026-12-02).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPid, startCpuMeter } from './lib/cpu-use.mjs';
import { formatPerf, PERF_NODE_FLAGS, perfAvailable, perfPrefix, summarizePerf } from './lib/perf.mjs';
import { formatProfiles, summarizeProfiles } from './lib/profile.mjs';
import { mergeResults } from './lib/results-file.mjs';

// The AWS SDK warns on every client under Node 20 that its 2027 releases need Node 22 (see README);
// set before the SDK loads, so the harness is imported after this line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const {
  CLI,
  clientFor,
  countItems,
  createTable,
  deleteTable,
  jsonLine,
  loadFaultProxy,
  newAccount,
  ROOT,
  runMeasured,
  secretsOf,
  startLocal,
  startStub,
  summaryOf,
  writeProfiles,
} = await import('./lib/harness.mjs');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    rows: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'capacity-upstream': { type: 'string', default: 'stub' },
  },
});
/**
 * What the capped proxy forwards to in rows 3 and 5. The stub by default: the rows measure how well
 * ddbcopy fills a cap, and on two cores DynamoDB Local (a JVM) plus the proxy plus the client cannot
 * take 4,000 items/s, so with it the emulator, not the cap, would bind. `local` runs them against it.
 */
const CAPACITY_UPSTREAM = flags['capacity-upstream'] === 'local' ? 'local' : 'stub';
const QUICK = flags.quick;
const ROWS = new Set((flags.rows ?? '1,2,3,4,5,6,7,8,9').split(',').map((row) => Number(row.trim())));
const SIZES = QUICK
  ? {
      small: 100_000,
      large: 300_000,
      peer: 30_000,
      capacity: 40_000,
      seed: 20_000,
      resume: 100_000,
      manyTables: 20,
      manyTableItems: 2_500,
      manyBigItems: 50_000,
      masks: 100_000,
      followCatchUp: 20_000,
      followLagSeconds: 20,
    }
  : {
      small: 100_000,
      large: 1_000_000,
      peer: 100_000,
      capacity: 120_000,
      seed: 40_000,
      resume: 200_000,
      manyTables: 20,
      manyTableItems: 5_000,
      manyBigItems: 100_000,
      masks: 300_000,
      followCatchUp: 50_000,
      followLagSeconds: 40,
    };
const ITEM_BYTES = 1000;
const SEED_ITEM_BYTES = 1250;
const SEED_TOTAL_ITEMS = 200_000;
const SEED_PATTERN_SECONDS = 300;
const CAP_WCU = 4000;
const GOAL_ITEMS_PER_SECOND = 40_000;
const LOADER_CONCURRENCY = 16;
/** The reference copier's shape (bench/lib/reference-copier.mjs): the AWS docs' parallel Scan pattern. */
const REFERENCE = { segments: 8, writers: 16 };
const RESUME_SEGMENTS = 8;
/** Row 7: each of its three runs is measured this many times (order reversed each time); best counts. Once in --quick. */
const MANY_REPEATS = QUICK ? 1 : 2;
const MANY_GOAL_SPEEDUP = 3;
/** Row 8: the masks (one hash, one fake, one nested redact) on attributes every bench item has. */
const MASK_SECRET_ENV = 'BENCH_MASK_SECRET';
const MASK_RULES = ['email=fake:email', 'name=hash', 'attrs.color=redact'];
const MASK_ARGS = [...MASK_RULES.flatMap((rule) => ['--mask', rule]), '--mask-secret-env', MASK_SECRET_ENV];
/** Row 8's filter: `price` is spread over 0..999.99 across the 4,096 item bodies, so this keeps ~10 %. */
const FILTER = { expression: 'price < :p', values: { ':p': { N: '100' } } };
const FILTER_ARGS = [
  '--filter-expression',
  FILTER.expression,
  '--expression-attribute-values',
  JSON.stringify(FILTER.values),
];
const MASK_REPEATS = 2;
const MASK_GOAL_SHARE = 0.5;
/** Row 9: catch-up goal (share of DynamoDB Local's write ceiling) and the steady load's shape. */
const FOLLOW_GOAL_SHARE = 0.8;
const FOLLOW_LOAD = {
  itemsPerSecond: 500,
  /** Items per BatchWriteItem: 10 every 20 ms. */
  batchItems: 10,
  probeEveryMs: 200,
  pollEveryMs: 20,
  warmupMs: 3000,
  /** A probe not on the target after this long counts as missing. */
  probeTimeoutMs: 30_000,
};
const FOLLOW_GOAL_P99_MS = 2000;
/** Row 9 (b): loader writes that warm its fresh DynamoDB Local's JVM up, into a table without a stream. */
const FOLLOW_WARM_ITEMS = 20_000;
/** How long `ddbcopy follow` may take to reach its follow step ("[3/3]") before the row gives up. */
const FOLLOW_START_TIMEOUT_MS = 60_000;

const RESULTS_FILE = path.join(ROOT, 'bench', 'results.json');
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const started = Date.now();
const loadBefore = os.loadavg();

// --- formatting ------------------------------------------------------------------------------------

const int = (n) => (n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const fixed = (n, digits = 1) =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n) => (n === undefined || !Number.isFinite(n) ? '-' : `${fixed(n, 2)}×`);
const percent = (n) => (n === undefined || !Number.isFinite(n) ? '-' : `${fixed(n * 100, 1)} %`);
const mb = (bytes) => bytes / 1e6;
const per100k = (ms, items) => (ms === undefined ? undefined : ms / 1000 / (items / 100_000));

/**
 * One printed line: what, ours, the reference it is set against, their ratio, the goal, met or not.
 * `basis` says what the reference is: 'same run' (measured in this run, or a fact of it such as the
 * items in its source table); 'goal' (the figure is a goal, in the goal column, and the ratio is ours
 * ÷ the goal: no reference); 'constant' (a fixed figure: a simulated cap, an estimate from elsewhere);
 * 'derived' (computed from constants and, maybe, this run's figures); 'machine' (the machine's cores).
 * Only 'same run' references count as references in the README's table (bench/readme-table.mjs).
 */
function line(measure, ours, reference, ratioText, goal, met, raw, basis = 'same run') {
  return { measure, ours, reference, ratio: ratioText, goal, met, raw, basis };
}

/** Marks a line for the README's Performance table (bench/readme-table.mjs). */
function headline(printed) {
  return { ...printed, headline: true };
}

// --- setup -----------------------------------------------------------------------------------------

if (!flags['no-build']) {
  log('npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) {
    log('the build failed; nothing was measured');
    process.exit(1);
  }
}

const tempDir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-bench-'));
let checkpointCount = 0;
const checkpointFile = () => path.join(tempDir, `checkpoint-${++checkpointCount}.json`);
const rows = [];
const cleanups = [];

const stub = await startStub();
cleanups.push(() => stub.stop());
const stubAccount = newAccount('benchstub', stub.endpoint, 'us-east-1');
const accounts = [stubAccount];
let local;
let proxy;
const needLocal =
  ROWS.has(2) || ROWS.has(7) || (CAPACITY_UPSTREAM === 'local' && (ROWS.has(3) || ROWS.has(5)));
if (needLocal) {
  log('starting DynamoDB Local');
  local = await startLocal(3072, (message) => log(`dynamodb-local: ${message}`));
  cleanups.push(() => local.stop());
}
const localA = local && newAccount('localsource', local.endpoint, 'us-east-1');
const localB = local && newAccount('localtarget', local.endpoint, 'eu-west-1');
/** The capped target's account: behind the proxy, on DynamoDB Local or the stub. */
const capped = newAccount(
  'capped',
  CAPACITY_UPSTREAM === 'local' ? local?.endpoint : stub.endpoint,
  'us-east-1',
);
if (local) accounts.push(localA, localB);
/** Row 7: its source account, and a fresh target account for every measured run. */
const manySource = ROWS.has(7) ? newAccount('manysource', local.endpoint, 'us-east-1') : undefined;
const manyTargets = ROWS.has(7)
  ? Array.from({ length: 3 * MANY_REPEATS }, (_, i) =>
      newAccount(`manytarget${i + 1}`, local.endpoint, 'eu-west-1'),
    )
  : [];
if (manySource) accounts.push(manySource, ...manyTargets);
/** Row 9: its two accounts; each of its phases starts a DynamoDB Local of its own (see follow()). */
const followAccounts = ROWS.has(9)
  ? {
      source: newAccount('followsource', undefined, 'us-east-1'),
      target: newAccount('followtarget', undefined, 'eu-west-1'),
    }
  : undefined;
if (followAccounts) accounts.push(followAccounts.source, followAccounts.target);
accounts.push(capped);
// The stub checks every request's signature; the capped account's requests reach it through the
// fault proxy, which checks theirs (as DynamoDB would) before it rewrites them.
await stub.trust(stubAccount);
await stub.trustProxied(capped);
if (ROWS.has(3) || ROWS.has(5)) {
  const { startFaultProxy } = await loadFaultProxy(tempDir);
  proxy = await startFaultProxy({
    upstream: CAPACITY_UPSTREAM === 'local' ? local.endpoint : stub.endpoint,
    capacity: { writeUnitsPerSecond: CAP_WCU },
    verifySignatures: secretsOf([capped]),
  });
  cleanups.push(() => proxy.close());
}
const profileEnv = writeProfiles(path.join(tempDir, 'aws'), accounts);

/** Runs the built CLI: `ddbcopy copy ARGS --json --checkpoint FILE`, measured. */
function ddbcopy(args, { checkpoint = checkpointFile(), profileDir, perfFile, watch, env } = {}) {
  return runMeasured({
    script: CLI,
    args: ['copy', ...args, '--json', '--checkpoint', checkpoint],
    env: { ...profileEnv, ...env },
    tempDir,
    profileDir,
    ...(perfFile ? { wrapper: perfPrefix(perfFile), nodeFlags: PERF_NODE_FLAGS } : {}),
    watch,
  });
}

/** Runs the built CLI: `ddbcopy follow ARGS --json --checkpoint FILE`, measured. */
function ddbcopyFollow(args, { watch } = {}) {
  return runMeasured({
    script: CLI,
    args: ['follow', ...args, '--json', '--checkpoint', checkpointFile()],
    env: profileEnv,
    tempDir,
    watch,
  });
}

const sides = (source, target) => [
  '--source-profile',
  source.name,
  '--source-endpoint-url',
  source.endpoint,
  '--target-profile',
  target.name,
  '--target-endpoint-url',
  target.endpoint,
];

// --- scenarios -------------------------------------------------------------------------------------

let tableCount = 0;
/** Row 1's items/s, for the capped rows' notes: a cap above it cannot be filled. */
let ceilingRate;

/**
 * ddbcopy from a stub table of `items` 1 KB items into a stub sink: the client is the limit. `args` are
 * added to the command line; `sample` keeps the first BatchWriteItem body in the sink (its stats);
 * `exact: false` for copies that change the items (masks), whose items the sink must not compare with
 * the source's.
 */
async function stubCopy(items, { args = [], sample = false, exact = true, ...options } = {}) {
  const { source, target } = await stubTables(items, { sample, exact });
  const before = await stub.usage();
  const run = await ddbcopy(
    ['--source', source, '--target', target, ...sides(stubAccount, stubAccount), '--data-only', ...args],
    options,
  );
  const after = await stub.usage();
  const summary = summaryOf(run, `stub copy of ${items} items`);
  const stats = { ...(await stub.stats(target)), ...refusedSince(before, after) };
  return { items, run, summary, stats, stubCpuMs: after.cpuMs - before.cpuMs };
}

/** A stub source table of `items` 1 KB items and a fresh sink for it. */
async function stubTables(items, { sample = false, exact = true } = {}) {
  const source = `ceiling_src_${items}`;
  const target = `ceiling_dst_${++tableCount}`;
  await stub.define(
    { name: source, items, itemBytes: ITEM_BYTES },
    { name: target, sink: true, capacity: items, itemBytes: ITEM_BYTES, sample, exact },
  );
  return { source, target };
}

/** The reference copier (bench/lib/reference-copier.mjs): plain AWS SDK v3, from `from` to `to`. */
function referenceCopier(from, to) {
  return runMeasured({
    script: path.join(ROOT, 'bench', 'lib', 'reference-copier.mjs'),
    env: {
      BENCH_ARGS: JSON.stringify({
        source: from,
        destination: to,
        segments: REFERENCE.segments,
        writers: REFERENCE.writers,
      }),
    },
    tempDir,
  });
}

/** The reference copier on the stub, as stubCopy runs ddbcopy. */
async function referenceStubCopy(items) {
  const { source, target } = await stubTables(items);
  const before = await stub.usage();
  const run = await referenceCopier({ ...stubAccount, table: source }, { ...stubAccount, table: target });
  const after = await stub.usage();
  const result = jsonLine(run, 'the reference copier');
  const stats = { ...(await stub.stats(target)), ...refusedSince(before, after) };
  return { items, run, result, stats, stubCpuMs: after.cpuMs - before.cpuMs };
}

const rate = (summary) => summary.items.written / (summary.durationMs / 1000);

/** The requests the stub refused (by error type) and the signatures it checked between two `usage` readings. */
function refusedSince(before, after) {
  const refused = {};
  for (const [type, n] of Object.entries(after.refused ?? {}))
    if (n > (before.refused?.[type] ?? 0)) refused[type] = n - (before.refused?.[type] ?? 0);
  return { refused, signaturesChecked: after.signaturesChecked - before.signaturesChecked };
}

/** What the stub refused during a copy (by error type; `refusedSince`), as text; '' when nothing. */
const refusals = (stats) =>
  Object.entries(stats.refused ?? {})
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');

async function ceilingAndMemory() {
  const small = ROWS.has(4)
    ? await logged(`stub copy, ${int(SIZES.small)} items`, () => stubCopy(SIZES.small))
    : undefined;
  const large = await logged(`stub copy, ${int(SIZES.large)} items`, () => stubCopy(SIZES.large));
  if (ROWS.has(1)) {
    const workers = await logged(`stub copy, ${int(SIZES.large)} items, --workers 2`, () =>
      stubCopy(SIZES.large, { args: ['--workers', '2'] }),
    );
    const reference = await logged(`reference copier (SDK v3), ${int(SIZES.large)} items on the stub`, () =>
      referenceStubCopy(SIZES.large),
    );
    const { summary, run, stats, items } = large;
    const itemsPerSecond = rate(summary);
    ceilingRate = itemsPerSecond;
    const cpu = per100k(run.cpuMs, items);
    const stubCpu = per100k(large.stubCpuMs, items);
    // CPU-s per 100k items that would reach the goal: all cores, less what the stub needs for them.
    const budget = (os.availableParallelism() * 100_000) / GOAL_ITEMS_PER_SECOND - stubCpu;
    const workersRate = rate(workers.summary);
    const workersCpu = per100k(workers.run.cpuMs, items);
    const refRate = reference.result.written / (reference.result.durationMs / 1000);
    const refCpu = per100k(reference.run.cpuMs, items);
    const lost = (copy, completed) => ({
      lost: items - copy.stats.distinct,
      ok:
        completed &&
        copy.stats.distinct === items &&
        copy.stats.outOfRange === 0 &&
        copy.stats.differing === 0 &&
        refusals(copy.stats) === '',
    });
    const oursLost = lost(large, summary.status === 'completed');
    const workersLost = lost(workers, workers.summary.status === 'completed');
    const refLost = lost(reference, reference.run.exitCode === 0);
    rows.push({
      id: 1,
      title: `Ceiling: ddbcopy vs the stub endpoint, ${int(items)} × 1 KB items`,
      lines: [
        headline(
          line(
            'items/s',
            int(itemsPerSecond),
            '',
            ratio(itemsPerSecond / GOAL_ITEMS_PER_SECOND),
            `≥ ${int(GOAL_ITEMS_PER_SECOND)}`,
            itemsPerSecond >= GOAL_ITEMS_PER_SECOND,
            itemsPerSecond,
            'goal',
          ),
        ),
        headline(
          line(
            'items/s',
            int(itemsPerSecond),
            `SDK v3 reference ${int(refRate)}`,
            ratio(itemsPerSecond / refRate),
            '',
            undefined,
          ),
        ),
        line(
          'MB/s (item bytes)',
          fixed(mb(summary.bytes) / (summary.durationMs / 1000)),
          '',
          '',
          '',
          undefined,
        ),
        headline(
          line(
            'client CPU-s per 100k items',
            fixed(cpu, 2),
            `SDK v3 reference ${fixed(refCpu, 2)}`,
            ratio(cpu / refCpu),
            '',
            undefined,
          ),
        ),
        line(
          'client CPU-s per 100k items',
          fixed(cpu, 2),
          `budget ${fixed(budget, 2)} at the goal`,
          ratio(cpu / budget),
          '≤ 1.00×',
          cpu <= budget,
          cpu,
          'derived',
        ),
        line(
          'stub CPU-s per 100k items (checks included)',
          fixed(stubCpu, 2),
          `client ${fixed(cpu, 2)}`,
          ratio(stubCpu / cpu),
          '',
          undefined,
          stubCpu,
        ),
        line(
          'items per client CPU-second',
          int(items / (run.cpuMs / 1000)),
          '',
          ratio(items / (run.cpuMs / 1000) / (GOAL_ITEMS_PER_SECOND / os.availableParallelism())),
          `${int(GOAL_ITEMS_PER_SECOND / os.availableParallelism())}/core`,
          undefined,
          undefined,
          'goal',
        ),
        line(
          'client cores busy (CPU ÷ wall)',
          fixed(run.cpuMs / run.wallMs, 2),
          `cores ${os.availableParallelism()}`,
          ratio(run.cpuMs / run.wallMs / os.availableParallelism()),
          '',
          undefined,
          undefined,
          'machine',
        ),
        headline(
          line(
            'peak RSS MB',
            int(run.maxRssMb),
            `SDK v3 reference ${int(reference.run.maxRssMb)}`,
            ratio(run.maxRssMb / reference.run.maxRssMb),
            '≤ 150',
            run.maxRssMb <= 150,
          ),
        ),
        headline(
          line(
            'items/s, --workers 2',
            int(workersRate),
            `--workers 1 ${int(itemsPerSecond)}`,
            ratio(workersRate / itemsPerSecond),
            '',
            undefined,
            workersRate,
          ),
        ),
        line(
          'client CPU-s per 100k items, --workers 2',
          fixed(workersCpu, 2),
          `--workers 1 ${fixed(cpu, 2)}`,
          ratio(workersCpu / cpu),
          '',
          undefined,
          workersCpu,
        ),
        line(
          'peak RSS MB, --workers 2',
          int(workers.run.maxRssMb),
          `--workers 1 ${int(run.maxRssMb)}`,
          ratio(workers.run.maxRssMb / run.maxRssMb),
          '',
          undefined,
        ),
        headline(
          line(
            'items lost (stub count)',
            int(oursLost.lost),
            `SDK v3 reference ${int(refLost.lost)}`,
            '',
            '0, none refused',
            oursLost.ok,
          ),
        ),
        line('items lost, --workers 2', int(workersLost.lost), '', '', '0, none refused', workersLost.ok),
      ],
      notes: [
        `status ${summary.status}, ${summary.segments} segments, process wall ${fixed(run.wallMs / 1000, 2)} s, copy ${fixed(summary.durationMs / 1000, 2)} s`,
        `the stub (its own process) checks every request: SigV4 signature, then each BatchWriteItem body parsed and every item's key checked, one body in 16 compared item by item with the source; it used ${fixed(large.stubCpuMs / run.wallMs, 2)} cores meanwhile; writes received ${int(stats.puts)}, out of range ${int(stats.outOfRange)}, compared ${int(stats.compared)} (${int(stats.differing)} differing), refused: ${refusals(stats) || 'none'}; signatures checked ${int(stats.signaturesChecked)}`,
        ...(run.peakMb
          ? [
              `memory peaks (sampled every 50 ms): V8 heap ${int(run.peakMb.heapTotal)} MB (${int(run.peakMb.heapUsed)} used), outside the heap ${int(run.peakMb.external)} MB (Buffers ${int(run.peakMb.arrayBuffers)})`,
            ]
          : []),
        `CPU budget at the goal (derived) = ${os.availableParallelism()} cores × 100,000 ÷ ${int(GOAL_ITEMS_PER_SECOND)} items/s (the goal) − the stub's ${fixed(stubCpu, 2)} CPU-s per 100k in this run`,
        `--workers 2: ${summaryLine(workers.summary)}; process wall ${fixed(workers.run.wallMs / 1000, 2)} s, client cores busy ${fixed(workers.run.cpuMs / workers.run.wallMs, 2)}, stub ${fixed(workers.stubCpuMs / workers.run.wallMs, 2)} cores; ${int(workers.stats.differing)} of ${int(workers.stats.compared)} compared items differing, refused: ${refusals(workers.stats) || 'none'}`,
        `SDK v3 reference (bench/lib/reference-copier.mjs: low-level DynamoDBClient, ${REFERENCE.segments} Scan segments, ${REFERENCE.writers} BatchWriteItem writers, UnprocessedItems retried with backoff): ${int(reference.result.written)} written in ${fixed(reference.result.durationMs / 1000, 2)} s, ${fixed(refCpu, 2)} client CPU-s per 100k, process wall ${fixed(reference.run.wallMs / 1000, 2)} s, client cores busy ${fixed(reference.run.cpuMs / reference.run.wallMs, 2)}, stub ${fixed(reference.stubCpuMs / reference.run.wallMs, 2)} cores (${fixed(per100k(reference.stubCpuMs, items), 2)} CPU-s per 100k); ${int(reference.stats.differing)} of ${int(reference.stats.compared)} compared items differing, refused: ${refusals(reference.stats) || 'none'}`,
      ],
      raw: {
        summary,
        client: clientFigures(run),
        stats,
        stubCpuMs: large.stubCpuMs,
        workers2: {
          summary: workers.summary,
          client: clientFigures(workers.run),
          stats: workers.stats,
          stubCpuMs: workers.stubCpuMs,
        },
        reference: {
          result: reference.result,
          client: clientFigures(reference.run),
          stats: reference.stats,
          stubCpuMs: reference.stubCpuMs,
          itemsPerSecond: refRate,
        },
      },
    });
  }
  if (ROWS.has(4)) {
    const a = small.run.maxRssMb;
    const b = large.run.maxRssMb;
    rows.push({
      id: 4,
      title: `Memory flatness: peak RSS, ${int(SIZES.small)} vs ${int(SIZES.large)} items (stub)`,
      lines: [
        headline(
          line(
            `peak RSS MB, ${int(SIZES.small)} items`,
            int(a),
            '',
            ratio(a / 150),
            '≤ 150',
            a <= 150,
            undefined,
            'goal',
          ),
        ),
        headline(
          line(
            `peak RSS MB, ${int(SIZES.large)} items`,
            int(b),
            '',
            ratio(b / 150),
            '≤ 150',
            b <= 150,
            undefined,
            'goal',
          ),
        ),
        headline(
          line(`large ÷ small`, fixed(b / a, 2), `small ${int(a)} MB`, ratio(b / a), '≤ 1.10×', b / a <= 1.1),
        ),
        line(
          `items lost, ${int(SIZES.small)} items (stub count)`,
          int(SIZES.small - small.stats.distinct),
          `of ${int(SIZES.small)}`,
          '',
          '0, none refused',
          small.stats.distinct === SIZES.small &&
            small.stats.differing === 0 &&
            refusals(small.stats) === '' &&
            small.summary.status === 'completed',
        ),
      ],
      notes: [
        `small: ${summaryLine(small.summary)}, ${int(small.stats.differing)} of ${int(small.stats.compared)} compared items differing, refused: ${refusals(small.stats) || 'none'}; large: ${summaryLine(large.summary)}, ${int(SIZES.large - large.stats.distinct)} items lost (stub count), ${int(large.stats.differing)} of ${int(large.stats.compared)} compared items differing, refused: ${refusals(large.stats) || 'none'}`,
      ],
      raw: {
        small: { summary: small.summary, client: clientFigures(small.run) },
        large: { client: clientFigures(large.run) },
      },
    });
  }
}

async function peerComparison() {
  const items = SIZES.peer;
  const source = 'peer_src';
  const ours = 'peer_dst_ddbcopy';
  const theirs = 'peer_dst_copy_dynamodb_table';
  const referenceTable = 'peer_dst_reference';
  const scratch = 'peer_ceiling';
  const sourceClient = clientFor(localA);
  const targetClient = clientFor(localB);
  try {
    await createTable(sourceClient, source);
    const loader = (account, table) =>
      runMeasured({
        script: path.join(ROOT, 'bench', 'lib', 'loader.mjs'),
        env: {
          BENCH_ARGS: JSON.stringify({
            ...account,
            table,
            items,
            itemBytes: ITEM_BYTES,
            concurrency: LOADER_CONCURRENCY,
          }),
        },
        tempDir,
      });
    // The first load fills the source and warms DynamoDB Local's JVM up; the second, into an empty
    // table of the target account (as the copies write), is the server's measured write ceiling.
    const fill = await logged(`loading the source table with ${int(items)} items`, () =>
      loader(localA, source),
    );
    jsonLine(fill, 'the loader');
    await createTable(targetClient, scratch);
    const load = await logged(`DynamoDB Local write ceiling: loader writes ${int(items)} items`, () =>
      loader(localB, scratch),
    );
    const loaded = jsonLine(load, 'the loader');
    const loaderRate = loaded.items / (loaded.durationMs / 1000);
    await deleteTable(targetClient, scratch);

    const oursRun = await logged(`ddbcopy copies ${int(items)} items on DynamoDB Local`, () =>
      ddbcopy(['--source', source, '--target', ours, ...sides(localA, localB), '--yes']),
    );
    const summary = summaryOf(oursRun, 'ddbcopy on DynamoDB Local');
    const oursCount = await countItems(targetClient, ours);

    const peerRun = await logged(`copy-dynamodb-table copies ${int(items)} items on DynamoDB Local`, () =>
      runMeasured({
        script: path.join(ROOT, 'bench', 'lib', 'peer.mjs'),
        env: {
          BENCH_ARGS: JSON.stringify({
            source: { ...localA, table: source },
            destination: { ...localB, table: theirs },
          }),
        },
        tempDir,
      }),
    );
    const peer = jsonLine(peerRun, 'copy-dynamodb-table');
    const peerCount = await countItems(targetClient, theirs);

    // The reference copier copies data only: its target table is made for it, outside its time.
    await createTable(targetClient, referenceTable);
    const refRun = await logged(
      `reference copier (SDK v3) copies ${int(items)} items on DynamoDB Local`,
      () => referenceCopier({ ...localA, table: source }, { ...localB, table: referenceTable }),
    );
    const reference = jsonLine(refRun, 'the reference copier');
    const refCount = await countItems(targetClient, referenceTable);
    const refRate = items / (reference.durationMs / 1000);
    const refCpu = per100k(refRun.cpuMs, items);

    const oursSeconds = summary.durationMs / 1000;
    const peerSeconds = peer.durationMs / 1000;
    const oursRate = items / oursSeconds;
    const peerRate = items / peerSeconds;
    const oursCpu = per100k(oursRun.cpuMs, items);
    const peerCpu = per100k(peerRun.cpuMs, items);
    rows.push({
      id: 2,
      title: `Peer on DynamoDB Local: ${int(items)} × 1 KB items, ddbcopy vs copy-dynamodb-table@2.2.1 and the SDK v3 reference copier`,
      lines: [
        line(
          'copy time s',
          fixed(oursSeconds, 1),
          `peer ${fixed(peerSeconds, 1)}`,
          ratio(oursSeconds / peerSeconds),
          '≤ 0.20×',
          oursSeconds / peerSeconds <= 0.2,
        ),
        headline(
          line(
            'items/s',
            int(oursRate),
            `peer ${int(peerRate)}`,
            ratio(oursRate / peerRate),
            '≥ 5.00×',
            oursRate / peerRate >= 5,
            oursRate,
          ),
        ),
        headline(
          line(
            'items/s',
            int(oursRate),
            `SDK v3 reference ${int(refRate)}`,
            ratio(oursRate / refRate),
            '',
            undefined,
            oursRate,
          ),
        ),
        headline(
          line(
            'client CPU-s per 100k items',
            fixed(oursCpu, 2),
            `peer ${fixed(peerCpu, 2)}`,
            ratio(oursCpu / peerCpu),
            '< 1.00×',
            oursCpu < peerCpu,
            oursCpu,
          ),
        ),
        headline(
          line(
            'client CPU-s per 100k items',
            fixed(oursCpu, 2),
            `SDK v3 reference ${fixed(refCpu, 2)}`,
            ratio(oursCpu / refCpu),
            '',
            undefined,
            oursCpu,
          ),
        ),
        line(
          'peak RSS MB',
          int(oursRun.maxRssMb),
          `peer ${int(peerRun.maxRssMb)}`,
          ratio(oursRun.maxRssMb / peerRun.maxRssMb),
          '',
          undefined,
        ),
        headline(
          line(
            'peak RSS MB',
            int(oursRun.maxRssMb),
            `SDK v3 reference ${int(refRun.maxRssMb)}`,
            ratio(oursRun.maxRssMb / refRun.maxRssMb),
            '',
            undefined,
          ),
        ),
        headline(
          line(
            'items/s vs server write ceiling',
            int(oursRate),
            `loader ${int(loaderRate)}`,
            percent(oursRate / loaderRate),
            '',
            undefined,
          ),
        ),
        line(
          'items in target',
          int(oursCount),
          `peer ${int(peerCount)}, reference ${int(refCount)}`,
          '',
          `= ${int(items)}`,
          oursCount === items && peerCount === items && refCount === items,
        ),
      ],
      notes: [
        `ddbcopy: ${summaryLine(summary)}; process wall ${fixed(oursRun.wallMs / 1000, 1)} s`,
        `copy-dynamodb-table: status ${peer.status}, count ${int(peer.count)}, process wall ${fixed(peerRun.wallMs / 1000, 1)} s`,
        `SDK v3 reference (bench/lib/reference-copier.mjs, ${REFERENCE.segments} Scan segments, ${REFERENCE.writers} writers, UnprocessedItems retried with backoff; its target table made before its clock starts; it runs last, after the loader, ddbcopy and the peer): ${int(reference.written)} written in ${fixed(reference.durationMs / 1000, 1)} s, ${int(reference.unprocessedRetries)} unprocessed retries, process wall ${fixed(refRun.wallMs / 1000, 1)} s`,
        `DynamoDB Local ceiling: bare BatchWriteItem loader, ${LOADER_CONCURRENCY} in flight, ${int(loaderRate)} items/s, ${fixed(per100k(load.cpuMs, items), 2)} CPU-s per 100k, ${int(load.maxRssMb)} MB`,
      ],
      raw: {
        ddbcopy: { summary, client: clientFigures(oursRun), targetCount: oursCount },
        peer: { result: peer, client: clientFigures(peerRun), targetCount: peerCount },
        reference: {
          result: reference,
          client: clientFigures(refRun),
          targetCount: refCount,
          itemsPerSecond: refRate,
        },
        loader: { result: loaded, client: clientFigures(load), itemsPerSecond: loaderRate },
      },
    });
  } finally {
    for (const [client, table] of [
      [sourceClient, source],
      [targetClient, ours],
      [targetClient, theirs],
      [targetClient, referenceTable],
      [targetClient, scratch],
    ])
      await deleteTable(client, table);
    sourceClient.destroy();
    targetClient.destroy();
  }
}

/**
 * Capacity use over the steady part of a capped run: from 2 s after the first write (past the
 * bucket's initial one-second burst) to 1 s before the last (past the tail, where segments finish).
 *
 * `steady` is consumed WCU ÷ window seconds. It can exceed the cap: the proxy's bucket (like
 * DynamoDB's) saves up to one second of unused capacity, which a client that backed off spends in a
 * burst. So `use` leaves out what was paid from tokens saved before the window (the drop of the
 * bucket's level over the window, found by replaying the logged writes through the same bucket) and
 * divides the rest by cap × window: the share of the capacity the window itself offered that was used.
 */
function capacityUse(entries, wall) {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const first = sorted[0]?.at ?? 0;
  const last = sorted.at(-1)?.at ?? 0;
  let from = first + 2000;
  let to = last - 1000;
  if (to - from < 2000) {
    from = first + 1000;
    to = last;
  }
  let tokens = CAP_WCU;
  let clock = first;
  let savedAtStart;
  let savedAtEnd;
  const advance = (t) => {
    tokens = Math.min(CAP_WCU, tokens + ((t - clock) / 1000) * CAP_WCU);
    clock = t;
  };
  let units = 0;
  let total = 0;
  for (const entry of sorted) {
    if (savedAtStart === undefined && entry.at >= from) {
      advance(from);
      savedAtStart = tokens;
    }
    if (savedAtEnd === undefined && entry.at >= to) {
      advance(to);
      savedAtEnd = tokens;
    }
    advance(entry.at);
    tokens -= entry.writeUnits;
    total += entry.writeUnits;
    if (entry.at >= from && entry.at < to) units += entry.writeUnits;
  }
  savedAtStart ??= tokens;
  savedAtEnd ??= tokens;
  const windowSeconds = (to - from) / 1000;
  const spentSaved = Math.max(0, savedAtStart - savedAtEnd);
  return {
    steady: units / windowSeconds,
    use: (units - spentSaved) / (CAP_WCU * windowSeconds),
    savedAtStart,
    spentSaved,
    whole: total / ((last - first) / 1000),
    totalUnits: total,
    spanMs: last - first,
    windowMs: to - from,
    overheadMs: wall - (last - first),
  };
}

/**
 * ddbcopy from a stub table into a table behind the capped proxy (a stub sink, or a provisioned
 * DynamoDB Local table with --capacity-upstream local); the target's items are counted afterwards.
 */
async function cappedCopy(name, items, itemBytes, extraArgs) {
  const source = `${name}_src`;
  const target = `${name}_dst_${++tableCount}`;
  const onLocal = CAPACITY_UPSTREAM === 'local';
  const targetClient = onLocal ? clientFor(capped) : undefined;
  try {
    await stub.define({ name: source, items, itemBytes });
    if (onLocal) await createTable(targetClient, target, CAP_WCU);
    else await stub.define({ name: target, sink: true, capacity: items, itemBytes });
    proxy.reset();
    const viaProxy = { ...capped, endpoint: proxy.endpoint };
    const before = await stub.usage();
    const run = await ddbcopy([
      '--source',
      source,
      '--target',
      target,
      ...sides(stubAccount, viaProxy),
      '--data-only',
      ...extraArgs,
    ]);
    const summary = summaryOf(run, `capped copy ${name}`);
    const entries = proxy
      .writeLog()
      .filter((entry) => entry.table === target && entry.account === capped.accessKeyId);
    const use = capacityUse(entries, run.wallMs);
    const counts = proxy.counts();
    const after = await stub.usage();
    const stored = onLocal ? await countItems(targetClient, target) : (await stub.stats(target)).distinct;
    // Refused: by the proxy for its signature (it checks every request), or by the stub (the source's
    // requests' signatures, and the sink's checks of every batch the proxy let through).
    const stubRefused = refusals(refusedSince(before, after));
    const refused = [
      ...(counts.signatureRejections ? [`proxy: bad signature ${counts.signatureRejections}`] : []),
      ...(stubRefused ? [`stub: ${stubRefused}`] : []),
    ].join('; ');
    return { items, run, summary, use, counts, stored, refused };
  } finally {
    if (onLocal) {
      await deleteTable(targetClient, target);
      targetClient.destroy();
    }
  }
}

async function capacity() {
  const items = SIZES.capacity;
  const lines = [];
  const notes = [];
  const raw = {};
  for (const [label, args] of [
    ['--write-rate 4000', ['--write-rate', String(CAP_WCU)]],
    ['no rate (throttling feedback)', []],
  ]) {
    const result = await logged(`capped copy of ${int(items)} items, ${label}`, () =>
      cappedCopy(label.startsWith('--') ? 'cap_rate' : 'cap_feedback', items, ITEM_BYTES, args),
    );
    const { use, summary, stored, counts, run } = result;
    lines.push(
      headline(
        line(
          `WCU/s, ${label}`,
          int(use.steady),
          `cap ${int(CAP_WCU)}`,
          percent(use.use),
          '≥ 95 %',
          use.use >= 0.95,
          use.steady,
          'constant',
        ),
      ),
      line(
        `items lost, ${label}`,
        int(items - stored),
        `of ${int(items)}`,
        '',
        '0, none refused',
        stored === items && summary.status === 'completed' && result.refused === '',
      ),
    );
    notes.push(
      `${label}: steady window ${fixed(use.windowMs / 1000, 1)} s of ${fixed(use.spanMs / 1000, 1)} s writing (${int(use.spentSaved)} WCU of it paid from tokens saved before, left out of the %); whole span ${int(use.whole)} WCU/s; ` +
        `${int(counts.capacityThrottles)} throttled requests, ${int(counts.unprocessedItemsReturned)} items returned unprocessed; ` +
        `ddbcopy retries ${JSON.stringify(summary.retries)}; process wall ${fixed(run.wallMs / 1000, 1)} s; signatures checked by the proxy ${int(counts.signaturesChecked)}, refused: ${result.refused || 'none'}`,
    );
    raw[label] = { use, summary, counts, stored, client: clientFigures(run) };
  }
  if (ceilingRate !== undefined)
    notes.push(`ddbcopy's uncapped ceiling in this run (row 1): ${int(ceilingRate)} items/s of 1 KB`);
  rows.push({
    id: 3,
    title: `Capacity use: ${int(items)} × 1 KB items into a table capped at ${int(CAP_WCU)} WCU/s (fault proxy → ${upstreamName()})`,
    lines,
    notes,
    raw,
  });
}

async function seed() {
  const items = SIZES.seed;
  const result = await logged(
    `seed scenario: ${int(items)} × 1.25 KB items under ${int(CAP_WCU)} WCU/s`,
    () => cappedCopy('seed', items, SEED_ITEM_BYTES, ['--write-rate', String(CAP_WCU)]),
  );
  const { use, summary, stored, run } = result;
  const completed = summary.status === 'completed';
  const unitsPerItem = Math.ceil(SEED_ITEM_BYTES / 1024);
  const totalUnits = SEED_TOTAL_ITEMS * unitsPerItem;
  const minimum = totalUnits / CAP_WCU;
  // A long run cannot live on saved-up tokens: its rate is the cap times the share of it used.
  const projected = use.overheadMs / 1000 + totalUnits / (use.use * CAP_WCU);
  rows.push({
    id: 5,
    title: `Seed scenario: ${int(SEED_TOTAL_ITEMS)} × 1.25 KB items (${unitsPerItem} WCU each) under ${int(CAP_WCU)} WCU/s (fault proxy → ${upstreamName()})`,
    lines: [
      headline(
        line(
          `projected s for ${int(SEED_TOTAL_ITEMS)}`,
          fixed(projected, 1),
          `minimum ${fixed(minimum, 1)}`,
          ratio(projected / minimum),
          '≤ 1.05×',
          completed && projected / minimum <= 1.05,
          projected,
          'derived',
        ),
      ),
      headline(
        line(
          'projected s vs the AWS pattern',
          fixed(projected, 1),
          `estimate ~${SEED_PATTERN_SECONDS}`,
          ratio(projected / SEED_PATTERN_SECONDS),
          '',
          undefined,
          undefined,
          'constant',
        ),
      ),
      line(
        `measured WCU/s (${int(items)} items)`,
        int(use.steady),
        `cap ${int(CAP_WCU)}`,
        percent(use.use),
        '≥ 95 %',
        use.use >= 0.95,
        use.steady,
        'constant',
      ),
      headline(
        line(
          'items lost',
          int(items - stored),
          `of ${int(items)}`,
          '',
          '0, none refused',
          completed && stored === items && result.refused === '',
        ),
      ),
    ],
    notes: [
      `projection = fixed overhead ${fixed(use.overheadMs / 1000, 2)} s (process wall − writing span) + ${int(totalUnits)} WCU ÷ (${percent(use.use)} of ${int(CAP_WCU)} WCU/s); minimum (derived from constants, the physical limit) = ${int(totalUnits)} WCU ÷ ${int(CAP_WCU)}; the AWS pattern's ~${SEED_PATTERN_SECONDS} s is a fixed estimate (a constant), not measured here`,
      `${summaryLine(summary)}; signatures checked by the proxy ${int(result.counts.signaturesChecked)}, refused: ${result.refused || 'none'}`,
    ],
    raw: {
      use,
      summary,
      stored,
      client: clientFigures(run),
      projectedSeconds: projected,
      minimumSeconds: minimum,
    },
  });
}

async function resume() {
  const items = SIZES.resume;
  const source = 'resume_src';
  const target = 'resume_dst';
  await stub.define(
    { name: source, items, itemBytes: ITEM_BYTES },
    { name: target, sink: true, capacity: items, itemBytes: ITEM_BYTES },
  );
  const checkpoint = checkpointFile();
  const args = [
    '--source',
    source,
    '--target',
    target,
    ...sides(stubAccount, stubAccount),
    '--data-only',
    '--segments',
    String(RESUME_SEGMENTS),
  ];
  let writtenAtKill = 0;
  const usageBefore = await stub.usage();
  const killed = await logged(`kill -9 a copy of ${int(items)} items half way`, () =>
    ddbcopy(args, {
      checkpoint,
      watch: (child) => {
        let busy = false;
        const timer = setInterval(async () => {
          if (busy) return;
          busy = true;
          const stats = await stub.stats(target);
          busy = false;
          if (stats.puts >= items / 2 && child.exitCode === null && child.signalCode === null) {
            writtenAtKill = stats.puts;
            child.kill('SIGKILL');
            clearInterval(timer);
          }
        }, 10);
        return () => clearInterval(timer);
      },
    }),
  );
  const resumed = await logged('resume it', () => ddbcopy([...args, '--resume'], { checkpoint }));
  const summary = summaryOf(resumed, 'the resumed copy');
  const stats = await stub.stats(target, items, RESUME_SEGMENTS);
  const refused = refusals(refusedSince(usageBefore, await stub.usage()));
  const pageItems = Math.min(
    stats.scan.maxLimit || Number.POSITIVE_INFINITY,
    Math.floor((1024 * 1024) / ITEM_BYTES),
  );
  const recopied = stats.perSegment.map((segment) => segment.recopied);
  const total = recopied.reduce((sum, n) => sum + n, 0);
  const worst = Math.max(...recopied);
  const lost = items - stats.distinct;
  rows.push({
    id: 6,
    title: `Resume cost: kill -9 half way through ${int(items)} items (stub, ${RESUME_SEGMENTS} segments), then --resume`,
    lines: [
      headline(
        line(
          'items re-copied, worst segment',
          int(worst),
          `1 page = ${int(pageItems)} items`,
          `${fixed(worst / pageItems, 2)} pages`,
          '≤ 1 page',
          worst <= pageItems,
          worst,
          'derived',
        ),
      ),
      line(
        'items re-copied, all segments',
        int(total),
        `${int(RESUME_SEGMENTS)} pages = ${int(RESUME_SEGMENTS * pageItems)}`,
        `${fixed(total / pageItems / RESUME_SEGMENTS, 2)} pages/seg`,
        '',
        undefined,
      ),
      headline(
        line(
          'items lost',
          int(lost),
          `of ${int(items)}`,
          '',
          '0, none refused',
          lost === 0 && summary.status === 'completed' && stats.differing === 0 && refused === '',
        ),
      ),
    ],
    notes: [
      `first run: ${killed.signal ? `killed (${killed.signal})` : `exited ${killed.exitCode} before the kill`} after ${int(writtenAtKill)} writes; resumed run: ${summaryLine(summary)}`,
      `re-copied per segment: ${recopied.join(', ')}; written in total ${int(stats.puts)} for ${int(items)} items; ${int(stats.differing)} of ${int(stats.compared)} compared items differing; refused by the stub: ${refused || 'none'}`,
    ],
    raw: { killed: clientFigures(killed), writtenAtKill, summary, stats, pageItems },
  });
}

/**
 * Row 7: a set of tables copied by one `copy --tables` process, the same tables one process per table
 * (as a shell loop would), and one table holding as many items as the set, all on DynamoDB Local.
 * Each measured run writes into a fresh target account (its tables are deleted afterwards, to keep
 * DynamoDB Local's in-memory store small); the best of MANY_REPEATS counts, the order reversed in turn.
 */
async function manyTables() {
  const tables = SIZES.manyTables;
  const perTable = SIZES.manyTableItems;
  const bigItems = SIZES.manyBigItems;
  const setItems = tables * perTable;
  const names = Array.from({ length: tables }, (_, i) => `bench-${String(i).padStart(2, '0')}`);
  const copyOf = (name) => name.replace(/^bench-/, 'copy-');
  const sourceClient = clientFor(manySource);
  const problems = [];
  const check = (what, status, items, expected) => {
    if (status !== 'completed' || items !== expected)
      problems.push(`${what}: status ${status}, ${int(items)} items of ${int(expected)}`);
    return status === 'completed' && items === expected;
  };
  let nextTarget = 0;
  /** Runs `measure(target)` against a fresh target account, then deletes `tablesMade` there. */
  const inFreshAccount = async (tablesMade, measure) => {
    const target = manyTargets[nextTarget++];
    try {
      return await measure(target);
    } finally {
      const client = clientFor(target);
      for (const table of tablesMade) await deleteTable(client, table);
      client.destroy();
    }
  };
  const scenarios = {
    set: (rep) =>
      inFreshAccount(names.map(copyOf), async (target) => {
        const run = await logged(`(a) ${tables} tables in one process, run ${rep}`, () =>
          ddbcopy(['--tables', 'bench-*', '--rename', 'bench-=copy-', ...sides(manySource, target), '--yes']),
        );
        const summary = summaryOf(run, 'the set copy');
        const ok = check(`(a) run ${rep}`, summary.status, summary.totals?.items, setItems);
        return {
          wallMs: run.wallMs,
          cpuMs: run.cpuMs,
          ok,
          client: clientFigures(run),
          status: summary.status,
          totals: summary.totals,
          tables: summary.tables?.map((t) => ({
            source: t.source?.table,
            target: t.target?.table,
            status: t.status,
            written: t.items?.written,
            durationMs: t.durationMs,
          })),
        };
      }),
    oneByOne: (rep) =>
      inFreshAccount(names.map(copyOf), (target) =>
        logged(`(b) ${tables} tables one process each, run ${rep}`, async () => {
          const t = performance.now();
          const processes = [];
          let ok = true;
          for (const name of names) {
            const run = await ddbcopy([
              '--source',
              name,
              '--target',
              copyOf(name),
              ...sides(manySource, target),
              '--yes',
            ]);
            const summary = summaryOf(run, `the copy of ${name}`);
            ok = check(`(b) run ${rep}, ${name}`, summary.status, summary.items?.written, perTable) && ok;
            processes.push({ wallMs: run.wallMs, cpuMs: run.cpuMs, copyMs: summary.durationMs });
          }
          const sum = (key) => processes.reduce((total, p) => total + (p[key] ?? 0), 0);
          return {
            wallMs: performance.now() - t,
            processWallMs: sum('wallMs'),
            cpuMs: sum('cpuMs'),
            copyMs: sum('copyMs'),
            ok,
            processes: processes.map((p) => ({
              wallMs: Math.round(p.wallMs),
              cpuMs: Math.round(p.cpuMs ?? 0),
              copyMs: p.copyMs,
            })),
          };
        }),
      ),
    big: (rep) =>
      inFreshAccount(['big'], async (target) => {
        const run = await logged(`(c) one table of ${int(bigItems)} items, run ${rep}`, () =>
          ddbcopy(['--source', 'big', '--target', 'big', ...sides(manySource, target), '--yes']),
        );
        const summary = summaryOf(run, 'the copy of big');
        const ok = check(`(c) run ${rep}`, summary.status, summary.items?.written, bigItems);
        return {
          wallMs: run.wallMs,
          cpuMs: run.cpuMs,
          copyMs: summary.durationMs,
          ok,
          client: clientFigures(run),
          status: summary.status,
          segments: summary.segments,
        };
      }),
  };
  try {
    for (const name of [...names, 'big']) await createTable(sourceClient, name);
    const seeding = await logged(
      `seeding ${tables} tables × ${int(perTable)} items and one of ${int(bigItems)} on DynamoDB Local`,
      () =>
        runMeasured({
          script: path.join(ROOT, 'bench', 'lib', 'loader.mjs'),
          env: {
            BENCH_ARGS: JSON.stringify({
              ...manySource,
              tables: [
                ...names.map((table) => ({ table, items: perTable })),
                { table: 'big', items: bigItems },
              ],
              itemBytes: ITEM_BYTES,
              concurrency: LOADER_CONCURRENCY,
            }),
          },
          tempDir,
        }),
    );
    const seeded = jsonLine(seeding, 'the loader');
    if (seeded.items !== setItems + bigItems)
      throw new Error(`seeding wrote ${seeded.items} items of ${setItems + bigItems}`);
    const seedRate = seeded.items / (seeded.durationMs / 1000);

    const runs = { set: [], oneByOne: [], big: [] };
    for (let rep = 1; rep <= MANY_REPEATS; rep++) {
      const order = rep % 2 === 1 ? ['set', 'oneByOne', 'big'] : ['big', 'oneByOne', 'set'];
      for (const key of order) runs[key].push(await scenarios[key](rep));
    }
    const best = (list) => list.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const a = best(runs.set);
    const b = best(runs.oneByOne);
    const c = best(runs.big);
    const seconds = (run) => run.wallMs / 1000;
    const aRate = setItems / seconds(a);
    const bRate = setItems / seconds(b);
    const cRate = bigItems / seconds(c);
    const allRuns = [...runs.set, ...runs.oneByOne, ...runs.big];
    const okRuns = allRuns.filter((run) => run.ok).length;
    const walls = (list) => list.map((run) => fixed(seconds(run), 1)).join(', ');
    const perProcess = b.processes.length;
    const row = {
      id: 7,
      title: `Many tables in one run: ${tables} × ${int(perTable)} × 1 KB items on DynamoDB Local, one process vs one per table vs one table of ${int(bigItems)}`,
      lines: [
        headline(
          line(
            'items/s, set in one process',
            int(aRate),
            `one by one ${int(bRate)}`,
            ratio(aRate / bRate),
            `≥ ${fixed(MANY_GOAL_SPEEDUP, 2)}×`,
            aRate / bRate >= MANY_GOAL_SPEEDUP,
            aRate,
          ),
        ),
        headline(
          line(
            'wall s, set in one process',
            fixed(seconds(a), 1),
            `one table ${fixed(seconds(c), 1)}`,
            ratio(a.wallMs / c.wallMs),
            '≤ 1.00×',
            a.wallMs <= c.wallMs,
            seconds(a),
          ),
        ),
        line(
          'wall s, set in one process',
          fixed(seconds(a), 1),
          `one by one ${fixed(seconds(b), 1)}`,
          ratio(a.wallMs / b.wallMs),
          '',
          undefined,
        ),
        line(
          'items/s, set in one process',
          int(aRate),
          `one table ${int(cRate)}`,
          ratio(aRate / cRate),
          '',
          undefined,
        ),
        headline(
          line(
            'items/s vs server write ceiling',
            int(aRate),
            `seeding ${int(seedRate)}`,
            percent(aRate / seedRate),
            '',
            undefined,
          ),
        ),
        headline(
          line(
            'runs completed with every item',
            `${okRuns}/${allRuns.length}`,
            `${int(setItems)} / ${int(bigItems)} items`,
            '',
            'all',
            okRuns === allRuns.length,
          ),
        ),
      ],
      notes: [
        ...(QUICK
          ? [
              `--quick: ${tables} × ${int(perTable)} items and one table of ${int(bigItems)} (the full bench: 20 × 5,000 and 100,000)`,
            ]
          : []),
        `(a) copy --tables 'bench-*' --rename bench-=copy- (one process): best of ${MANY_REPEATS} wall ${walls(runs.set)} s; set's own duration ${fixed(a.totals.durationMs / 1000, 1)} s, CPU ${fixed(a.cpuMs / 1000, 1)} s, peak RSS ${int(a.client.maxRssMb)} MB`,
        `(b) copy --source bench-NN --target copy-NN, ${perProcess} processes in sequence: best of ${MANY_REPEATS} wall ${walls(runs.oneByOne)} s; per process ${fixed(b.processWallMs / perProcess / 1000, 2)} s wall of which ${fixed(b.copyMs / perProcess / 1000, 2)} s copying items (the rest: start, connect, describe, CreateTable, wait), CPU ${fixed(b.cpuMs / 1000, 1)} s in all`,
        `(c) copy --source big --target big (one process): best of ${MANY_REPEATS} wall ${walls(runs.big)} s; copying items ${fixed(c.copyMs / 1000, 1)} s, ${c.segments} segments, CPU ${fixed(c.cpuMs / 1000, 1)} s`,
        `the most one process could gain over one by one on this server: ${fixed(seconds(b), 1)} s ÷ (${int(setItems)} items ÷ ${int(seedRate)} items/s, the seeding rate) = ${ratio(seconds(b) / (setItems / seedRate))}; one by one spends ${percent(1 - b.copyMs / b.processWallMs)} of its process wall outside copying items`,
        `wall = process wall (with Node's start); order per repeat a, b, c then c, b, a; each run into a fresh target account; server write ceiling = the seeding loader (${LOADER_CONCURRENCY} in flight), ${int(seeded.items)} items in ${fixed(seeded.durationMs / 1000, 1)} s`,
        ...(problems.length ? [`ERROR: ${problems.join('; ')}`] : []),
      ],
      raw: { seeded: { ...seeded, itemsPerSecond: seedRate }, runs, best: { a, b, c } },
    };
    if (problems.length) row.error = `items or status wrong: ${problems.join('; ')}`;
    rows.push(row);
  } finally {
    for (const name of [...names, 'big']) await deleteTable(sourceClient, name);
    sourceClient.destroy();
  }
}

/**
 * Row 8 (issue 14's performance goals): one stub table copied plain, with three masks and with a
 * filter keeping ~10 %, interleaved (plain, masked, filtered, then the reverse), MASK_REPEATS times;
 * each figure is its best (highest items/s, least CPU). On the stub the client's CPU is the limit, so
 * the masked ÷ plain items/s is what masking costs. The stub evaluates the filter itself, as DynamoDB
 * does (after reading: Limit and the 1 MB page count items read; ScannedCount is what was read).
 */
async function masksAndFilter() {
  const items = SIZES.masks;
  const { ITEM_POOL_SIZE, itemJson, wireItemSize } = await import('./lib/items.mjs');
  // What the filter keeps, found here from the items themselves (not from the stub).
  const bodies = Array.from({ length: ITEM_POOL_SIZE }, (_, v) => JSON.parse(itemJson(v, ITEM_BYTES)));
  const limit = Number(FILTER.values[':p'].N);
  const matching = bodies.map((item) => Number(item.price.N) < limit);
  let expectedKept = 0;
  for (let i = 0; i < items; i++) if (matching[i % ITEM_POOL_SIZE]) expectedKept++;

  const env = { [MASK_SECRET_ENV]: 'bench-mask-secret-0123456789abcdef' };
  const problems = [];
  const check = (what, ok, detail) => {
    if (!ok) problems.push(`${what}: ${detail}`);
    return ok;
  };
  /** The sampled first BatchWriteItem of a masked copy: masked attributes changed, the others not. */
  const checkSample = (sample) => {
    const written = Object.values(JSON.parse(sample).RequestItems)[0].map((r) => r.PutRequest.Item);
    let masked = 0;
    let intact = 0;
    let bytes = 0;
    for (const item of written) {
      const index = Number.parseInt(item.pk.S.slice(1), 10);
      const source = JSON.parse(itemJson(index, ITEM_BYTES));
      bytes += wireItemSize(item);
      if (
        item.email?.S !== source.email.S &&
        item.name?.S !== source.name.S &&
        item.attrs?.M?.color?.S === 'REDACTED'
      )
        masked++;
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      const others = Object.keys(source).filter((name) => !['email', 'name', 'attrs'].includes(name));
      if (
        others.every((name) => same(item[name], source[name])) &&
        same(item.attrs?.M?.size, source.attrs.M.size) &&
        same(item.attrs?.M?.ok, source.attrs.M.ok) &&
        Object.keys(item).length === Object.keys(source).length
      )
        intact++;
    }
    return { items: written.length, masked, intact, meanBytes: bytes / written.length };
  };

  const kinds = {
    plain: { label: 'plain', args: [] },
    masked: { label: 'masked', args: MASK_ARGS, sample: true, exact: false },
    filtered: { label: 'filtered', args: FILTER_ARGS },
  };
  const runs = { plain: [], masked: [], filtered: [] };
  for (let rep = 1; rep <= MASK_REPEATS; rep++) {
    const order = rep % 2 === 1 ? ['plain', 'masked', 'filtered'] : ['filtered', 'masked', 'plain'];
    for (const key of order) {
      const kind = kinds[key];
      const result = await logged(`${kind.label} stub copy of ${int(items)} items, run ${rep}`, () =>
        stubCopy(items, { args: kind.args, sample: kind.sample, exact: kind.exact, env }),
      );
      const { summary, run, stats } = result;
      const what = `${kind.label} run ${rep}`;
      const keep = key === 'filtered' ? expectedKept : items;
      let ok =
        check(what, summary.status === 'completed', `status ${summary.status}`) &&
        check(what, summary.items?.written === keep, `${summary.items?.written} written of ${keep}`) &&
        check(
          what,
          stats.distinct === keep,
          `the stub received ${stats.distinct} distinct items of ${keep}`,
        ) &&
        check(what, summary.items?.scanned === items, `${summary.items?.scanned} scanned of ${items}`) &&
        check(what, refusals(stats) === '', `the stub refused ${refusals(stats)}`) &&
        check(what, stats.differing === 0, `${stats.differing} of ${stats.compared} compared items differ`);
      let sample;
      if (key === 'masked') {
        const rules = summary.masking?.rules ?? [];
        ok =
          check(
            what,
            rules.length === MASK_RULES.length && rules.every((rule) => rule.values > 0),
            `masking.rules ${JSON.stringify(rules)}`,
          ) && ok;
        sample = checkSample(stats.sample);
        ok =
          check(
            what,
            sample.masked === sample.items && sample.intact === sample.items,
            `of ${sample.items} sampled items ${sample.masked} masked, ${sample.intact} otherwise intact`,
          ) && ok;
      }
      runs[key].push({
        rep,
        ok,
        wallMs: run.wallMs,
        cpuMs: run.cpuMs,
        durationMs: summary.durationMs,
        scanned: summary.items?.scanned,
        written: summary.items?.written,
        stubCpuMs: result.stubCpuMs,
        client: clientFigures(run),
        masking: summary.masking,
        sample,
        status: summary.status,
        segments: summary.segments,
        retries: summary.retries,
      });
    }
  }
  const best = (list) => ({
    // items/s by items scanned (= written, but for the filter): the copy's own duration, as row 1.
    rate: Math.max(...list.map((r) => r.scanned / (r.durationMs / 1000))),
    cpuMs: Math.min(...list.map((r) => r.cpuMs)),
    stubCpuMs: Math.min(...list.map((r) => r.stubCpuMs)),
    maxRssMb: Math.min(...list.map((r) => r.client.maxRssMb)),
  });
  const plain = best(runs.plain);
  const masked = best(runs.masked);
  const filtered = best(runs.filtered);
  const scanned = runs.filtered[0].scanned;
  const kept = runs.filtered[0].written;
  const plainCpu = per100k(plain.cpuMs, items);
  const maskedCpu = per100k(masked.cpuMs, items);
  const filteredCpu = per100k(filtered.cpuMs, scanned);
  const allRuns = [...runs.plain, ...runs.masked, ...runs.filtered];
  const okRuns = allRuns.filter((r) => r.ok).length;
  const list = (key, pick) => runs[key].map(pick).join(', ');
  const maskCounts = (runs.masked[0].masking?.rules ?? [])
    .map((r) => `${r.rule} ${int(r.values)}`)
    .join(', ');
  const sample = runs.masked[0].sample;
  const row = {
    id: 8,
    title: `Masked and filtered copies: ${int(items)} × 1 KB items, stub endpoint, vs a plain copy of the same table`,
    lines: [
      headline(
        line(
          'items/s, 3 masks',
          int(masked.rate),
          `plain ${int(plain.rate)}`,
          percent(masked.rate / plain.rate),
          `≥ ${fixed(MASK_GOAL_SHARE * 100, 0)} %`,
          masked.rate / plain.rate >= MASK_GOAL_SHARE,
          masked.rate,
        ),
      ),
      // Both copies keep the client's thread busy, so this is the same ratio without the machine's load.
      line(
        'items per client CPU-s, 3 masks',
        int(items / (masked.cpuMs / 1000)),
        `plain ${int(items / (plain.cpuMs / 1000))}`,
        percent(plain.cpuMs / masked.cpuMs),
        '',
        undefined,
      ),
      line(
        'client CPU-s per 100k items, 3 masks',
        fixed(maskedCpu, 2),
        `plain ${fixed(plainCpu, 2)}`,
        ratio(maskedCpu / plainCpu),
        '',
        undefined,
        maskedCpu,
      ),
      headline(
        line(
          'client CPU-s per 100k scanned, filter',
          fixed(filteredCpu, 2),
          `plain ${fixed(plainCpu, 2)}`,
          ratio(filteredCpu / plainCpu),
          '≤ 1.00×',
          filteredCpu <= plainCpu,
          filteredCpu,
        ),
      ),
      line(
        'items scanned/s, filter',
        int(filtered.rate),
        `plain ${int(plain.rate)}`,
        ratio(filtered.rate / plain.rate),
        '',
        undefined,
        filtered.rate,
      ),
      line(
        'items kept by the filter',
        int(kept),
        `of ${int(scanned)} scanned`,
        percent(kept / scanned),
        `= ${int(expectedKept)}`,
        kept === expectedKept,
      ),
      line(
        'peak RSS MB, 3 masks',
        int(masked.maxRssMb),
        `plain ${int(plain.maxRssMb)}`,
        ratio(masked.maxRssMb / plain.maxRssMb),
        '',
        undefined,
      ),
      headline(
        line(
          'runs correct (counts, masks)',
          `${okRuns}/${allRuns.length}`,
          '',
          '',
          'all',
          okRuns === allRuns.length,
        ),
      ),
    ],
    notes: [
      ...(QUICK ? [`--quick: ${int(items)} items (the full bench: ${int(300_000)})`] : []),
      `masks: ${MASK_ARGS.join(' ')} (${MASK_SECRET_ENV} holds 34 characters); values masked per rule (first run): ${maskCounts}`,
      `masked output, first BatchWriteItem kept by the stub: ${sample.masked}/${sample.items} items with all three masked, ${sample.intact}/${sample.items} with every other attribute as read; ${int(sample.meanBytes)} bytes per item written (source ${int(ITEM_BYTES)})`,
      `filter: --filter-expression '${FILTER.expression}' --expression-attribute-values '${JSON.stringify(FILTER.values)}'; the stub evaluates this one comparison itself (bench/stub-dynamodb.mjs: Limit and the 1 MB page count items read, Count what is returned, ScannedCount what was read), the kept items checked against the items themselves`,
      `items/s = items scanned (= written, but for the filter) ÷ the copy's own duration, as row 1; CPU = the client process's user + system CPU, all threads, Node's start included; best of ${MASK_REPEATS} per figure, order plain, masked, filtered then the reverse`,
      `copy durations s: plain ${list('plain', (r) => fixed(r.durationMs / 1000, 2))}; masked ${list('masked', (r) => fixed(r.durationMs / 1000, 2))}; filtered ${list('filtered', (r) => fixed(r.durationMs / 1000, 2))}`,
      `client CPU s: plain ${list('plain', (r) => fixed(r.cpuMs / 1000, 2))}; masked ${list('masked', (r) => fixed(r.cpuMs / 1000, 2))}; filtered ${list('filtered', (r) => fixed(r.cpuMs / 1000, 2))}; client cores busy (CPU ÷ wall, best runs) plain ${fixed(plain.cpuMs / Math.min(...runs.plain.map((r) => r.wallMs)), 2)}, masked ${fixed(masked.cpuMs / Math.min(...runs.masked.map((r) => r.wallMs)), 2)}`,
      `stub CPU-s per 100k items read: plain ${fixed(per100k(plain.stubCpuMs, items), 2)}, masked ${fixed(per100k(masked.stubCpuMs, items), 2)}, filtered ${fixed(per100k(filtered.stubCpuMs, scanned), 2)}`,
      ...(problems.length ? [`ERROR: ${problems.join('; ')}`] : []),
    ],
    raw: {
      items,
      expectedKept,
      best: { plain, masked, filtered },
      cpuPer100k: { plain: plainCpu, masked: maskedCpu, filteredPerScanned: filteredCpu },
      runs,
    },
  };
  if (problems.length) row.error = `counts or masks wrong: ${problems.join('; ')}`;
  rows.push(row);
}

/**
 * Row 9: `ddbcopy follow` on DynamoDB Local, source and target in two accounts. Each phase runs on a
 * DynamoDB Local of its own, started for it: Local's writes into a table with a stream slow down with
 * the records other tables' streams hold, deleted tables included (measured: 2,500 items/s into a new
 * stream table, 600 once another stream held 6,000 records, 185 at 12,000, 76 at 24,000; a table
 * without a stream is not slowed), so one phase's stream would throttle the next one's source.
 *
 * (a) Catch-up. The bare loader writes SIZES.followCatchUp items into a source with a stream
 * (NEW_AND_OLD_IMAGES) before ddbcopy starts, so they wait in the stream; then `follow --from
 * trim-horizon --until-caught-up` applies them to an empty target. Its records/s (records ÷ its JSON
 * durationMs) is set against DynamoDB Local's write ceiling, the same loader writing the same items
 * into an empty table without a stream, measured just before (after the source's fill warmed the JVM).
 * A bare read of the stream then warms Local's read path, and after ddbcopy a bare follower
 * (bench/lib/stream-follower.mjs) applies the same changes to another empty table: what a client
 * with no page boundaries, order or checkpoint gets on the same server.
 *
 * (b) Lag under steady load. After the loader warmed the JVM with writes into a table without a
 * stream, `follow --from trim-horizon` on a fresh pair of tables, started first; once it printed its
 * follow step, bench/lib/lag-probe.mjs writes FOLLOW_LOAD.itemsPerSecond for SIZES.followLagSeconds
 * and measures end-to-end lag with probe items; then ddbcopy gets SIGINT.
 */
async function follow() {
  const { createStreamTable } = await import('./lib/stream-table.mjs');
  const items = SIZES.followCatchUp;
  const problems = [];
  const loader = (account, table, count) =>
    runMeasured({
      script: path.join(ROOT, 'bench', 'lib', 'loader.mjs'),
      env: {
        BENCH_ARGS: JSON.stringify({
          ...account,
          table,
          items: count,
          itemBytes: ITEM_BYTES,
          concurrency: LOADER_CONCURRENCY,
        }),
      },
      tempDir,
    });
  const streamFollower = (settings) =>
    runMeasured({
      script: path.join(ROOT, 'bench', 'lib', 'stream-follower.mjs'),
      env: { BENCH_ARGS: JSON.stringify(settings) },
      tempDir,
    });
  /** Runs `phase` against a DynamoDB Local started for it (in memory), stopped afterwards. */
  const onFreshLocal = async (what, phase) => {
    const server = await logged(`starting DynamoDB Local for ${what}`, () =>
      startLocal(2048, (message) => log(`dynamodb-local (${what}): ${message}`)),
    );
    const source = { ...followAccounts.source, endpoint: server.endpoint };
    const target = { ...followAccounts.target, endpoint: server.endpoint };
    const sourceClient = clientFor(source);
    const targetClient = clientFor(target);
    try {
      return await phase({
        source,
        target,
        sourceClient,
        targetClient,
        localPid: findPid(['-port', String(server.port)]),
      });
    } finally {
      sourceClient.destroy();
      targetClient.destroy();
      await server.stop();
    }
  };

  // --- (a) catch-up ---
  const a = await onFreshLocal(
    'the catch-up',
    async ({ source, target, sourceClient, targetClient, localPid }) => {
      const streamArn = await createStreamTable(sourceClient, 'follow_src');
      await createTable(targetClient, 'follow_dst');
      const fill = await logged(`loading ${int(items)} changes into the source (stream on)`, () =>
        loader(source, 'follow_src', items),
      );
      const filled = jsonLine(fill, 'the loader');
      if (filled.items !== items)
        problems.push(`the source fill wrote ${int(filled.items)} of ${int(items)}`);
      await createTable(targetClient, 'follow_ceiling');
      const load = await logged(`DynamoDB Local write ceiling: loader writes ${int(items)} items`, () =>
        loader(target, 'follow_ceiling', items),
      );
      const loaded = jsonLine(load, 'the loader');
      await deleteTable(targetClient, 'follow_ceiling');
      // The fill and the ceiling warmed DynamoDB Local's write path; one bare pass over the stream
      // warms its read path (a stream can be read again), so ddbcopy is not the first to read it.
      const readPass = jsonLine(
        await logged(`warming the stream's read path: a bare read of its ${int(items)} records`, () =>
          streamFollower({ mode: 'read', streamArn, records: items, source, target }),
        ),
        'the bare stream reader',
      );

      const meter = startCpuMeter({ local: localPid });
      const spawnedAt = performance.now();
      let followStepAt;
      const run = await logged(`ddbcopy follow catches up on ${int(items)} queued changes`, () =>
        ddbcopyFollow(
          [
            '--source',
            'follow_src',
            '--target',
            'follow_dst',
            ...sides(source, target),
            '--from',
            'trim-horizon',
            '--until-caught-up',
          ],
          { watch: (child) => watchFollowStep(child, () => (followStepAt ??= performance.now())) },
        ),
      );
      const cpu = meter.stop();
      const exitedAt = performance.now();
      const summary = summaryOf(run, 'ddbcopy follow --until-caught-up');
      const caughtUp = summary.status === 'caught-up' && run.exitCode === 0;
      if (!caughtUp) problems.push(`catch-up: status ${summary.status}, exit ${run.exitCode ?? run.signal}`);
      const targetCount = await countItems(targetClient, 'follow_dst');
      const sourceCount = await countItems(sourceClient, 'follow_src');
      if (targetCount !== sourceCount)
        problems.push(`catch-up: target holds ${int(targetCount)} items, source ${int(sourceCount)}`);
      await createTable(targetClient, 'follow_bare');
      const bareRun = await logged(`a bare follower applies the same ${int(items)} changes`, () =>
        streamFollower({
          mode: 'follow',
          streamArn,
          records: items,
          source,
          target: { ...target, table: 'follow_bare' },
          concurrency: LOADER_CONCURRENCY,
        }),
      );
      const bare = jsonLine(bareRun, 'the bare follower');
      if (bare.written !== items)
        problems.push(`the bare follower wrote ${int(bare.written)} of ${int(items)}`);
      return {
        readPass,
        bare,
        bareRun,
        bareRate: bare.written / (bare.durationMs / 1000),
        filled,
        fillRate: filled.items / (filled.durationMs / 1000),
        load,
        loaded,
        loaderRate: loaded.items / (loaded.durationMs / 1000),
        run,
        summary,
        caughtUp,
        cpu,
        records: summary.follow?.records ?? 0,
        seconds: summary.durationMs / 1000,
        /** From the process's start to its "[3/3]" line, and from that line to its exit. */
        beforeStepMs: followStepAt === undefined ? undefined : followStepAt - spawnedAt,
        stepMs: followStepAt === undefined ? undefined : exitedAt - followStepAt,
        targetCount,
        sourceCount,
      };
    },
  );
  a.rate = a.records / a.seconds;

  // --- (b) lag under steady load ---
  const b = await onFreshLocal(
    'the steady load',
    async ({ source, target, sourceClient, targetClient, localPid }) => {
      await createTable(targetClient, 'follow_warm');
      const warm = jsonLine(
        await logged(
          `warming DynamoDB Local up: loader writes ${int(FOLLOW_WARM_ITEMS)} items (no stream)`,
          () => loader(target, 'follow_warm', FOLLOW_WARM_ITEMS),
        ),
        'the loader',
      );
      await deleteTable(targetClient, 'follow_warm');
      await createStreamTable(sourceClient, 'follow_lag_src');
      await createTable(targetClient, 'follow_lag_dst');
      let child;
      let markFollowing;
      const following = new Promise((resolve) => {
        markFollowing = resolve;
      });
      const runPromise = ddbcopyFollow(
        [
          '--source',
          'follow_lag_src',
          '--target',
          'follow_lag_dst',
          ...sides(source, target),
          '--from',
          'trim-horizon',
        ],
        {
          watch: (spawned) => {
            child = spawned;
            spawned.once('close', () => markFollowing(false));
            return watchFollowStep(spawned, () => markFollowing(true));
          },
        },
      );
      const startedAt = performance.now();
      const started = await logged('ddbcopy follow starts (until its follow step)', () =>
        Promise.race([
          following,
          new Promise((resolve) => setTimeout(() => resolve(false), FOLLOW_START_TIMEOUT_MS)),
        ]),
      );
      if (!started) {
        child?.kill('SIGINT');
        const failed = await runPromise;
        throw new Error(
          `ddbcopy follow did not reach its follow step within ${FOLLOW_START_TIMEOUT_MS / 1000} s (exit ${failed.exitCode ?? failed.signal}): ${failed.stderr.slice(-500)}`,
        );
      }
      const startupMs = performance.now() - startedAt;
      const meter = startCpuMeter({ local: localPid, ddbcopy: child.pid });
      const probeRun = await logged(
        `steady load: ${int(FOLLOW_LOAD.itemsPerSecond)} items/s for ${SIZES.followLagSeconds} s with a lag probe every ${FOLLOW_LOAD.probeEveryMs} ms`,
        () =>
          runMeasured({
            script: path.join(ROOT, 'bench', 'lib', 'lag-probe.mjs'),
            env: {
              BENCH_ARGS: JSON.stringify({
                ...FOLLOW_LOAD,
                source: { ...source, table: 'follow_lag_src' },
                target: { ...target, table: 'follow_lag_dst' },
                durationMs: SIZES.followLagSeconds * 1000,
                itemBytes: ITEM_BYTES,
              }),
            },
            tempDir,
          }),
      );
      const cpu = meter.stop();
      const probed = jsonLine(probeRun, 'the lag probe');
      // The last writes are as old as the lag goal before the follow is stopped: all should be applied.
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_GOAL_P99_MS));
      child.kill('SIGINT');
      const run = await logged('ddbcopy follow stops (SIGINT)', () => runPromise);
      const summary = summaryOf(run, 'ddbcopy follow (steady load)');
      const sourceCount = await countItems(sourceClient, 'follow_lag_src');
      const targetCount = await countItems(targetClient, 'follow_lag_dst');
      if (targetCount !== sourceCount)
        problems.push(
          `lag: at SIGINT the target holds ${int(targetCount)} items, the source ${int(sourceCount)}`,
        );
      if (run.exitCode !== 130) problems.push(`lag: ddbcopy exited ${run.exitCode ?? run.signal}, not 130`);
      return {
        warm,
        startupMs,
        probeRun,
        probed,
        cpu,
        run,
        summary,
        sourceCount,
        targetCount,
      };
    },
  );

  const { probed } = b;
  const lags = probed.probes
    .filter((p) => p.at >= FOLLOW_LOAD.warmupMs && p.lagMs !== null)
    .map((p) => p.lagMs)
    .sort((x, y) => x - y);
  const puts = probed.probes
    .filter((p) => p.putMs !== null)
    .map((p) => p.putMs)
    .sort((x, y) => x - y);
  const missing = probed.probes.filter((p) => p.putMs !== null && p.lagMs === null).length;
  if (missing > 0) problems.push(`lag: ${missing} probe item(s) never reached the target`);
  const p50 = quantile(lags, 0.5);
  const p99 = quantile(lags, 0.99);
  const max = lags.at(-1);
  const writerRate = probed.writer.itemsPerSecond;
  const sourceChanges = probed.writer.items + probed.probesWritten;
  const cores = (n) => fixed(n, 2);

  const row = {
    id: 9,
    title: `Follow on DynamoDB Local: catch-up on ${int(items)} × 1 KB queued changes, then lag under ${int(FOLLOW_LOAD.itemsPerSecond)} items/s`,
    lines: [
      headline(
        line(
          'catch-up records/s',
          int(a.rate),
          `ceiling ${int(a.loaderRate)}`,
          percent(a.rate / a.loaderRate),
          `≥ ${fixed(FOLLOW_GOAL_SHARE * 100, 0)} %`,
          a.rate / a.loaderRate >= FOLLOW_GOAL_SHARE,
          a.rate,
        ),
      ),
      headline(
        line(
          'catch-up records/s vs a bare follower',
          int(a.rate),
          `bare ${int(a.bareRate)}`,
          percent(a.rate / a.bareRate),
          '',
          undefined,
        ),
      ),
      line(
        'catch-up s (follow, its JSON)',
        fixed(a.seconds, 2),
        `loader ${fixed(a.loaded.durationMs / 1000, 2)}`,
        ratio(a.seconds / (a.loaded.durationMs / 1000)),
        '',
        undefined,
      ),
      headline(
        line(
          'items in target after catch-up',
          int(a.targetCount),
          `source ${int(a.sourceCount)}`,
          '',
          `= ${int(items)}`,
          a.caughtUp && a.targetCount === a.sourceCount && a.sourceCount === items,
        ),
      ),
      line(
        'lag p50 ms (end to end)',
        int(p50),
        `probe put p50 ${fixed(quantile(puts, 0.5), 1)}`,
        '',
        '',
        undefined,
      ),
      headline(
        line(
          'lag p99 ms (end to end)',
          int(p99),
          '',
          ratio(p99 / FOLLOW_GOAL_P99_MS),
          `≤ ${int(FOLLOW_GOAL_P99_MS)}`,
          missing === 0 && p99 <= FOLLOW_GOAL_P99_MS,
          p99,
          'goal',
        ),
      ),
      line(
        'lag max ms (end to end)',
        int(max),
        '',
        ratio(max / FOLLOW_GOAL_P99_MS),
        `(p99 goal ≤ ${int(FOLLOW_GOAL_P99_MS)})`,
        undefined,
        max,
        'goal',
      ),
      line(
        'steady load items/s (writer)',
        int(writerRate),
        `asked ${int(FOLLOW_LOAD.itemsPerSecond)}`,
        percent(writerRate / FOLLOW_LOAD.itemsPerSecond),
        '',
        undefined,
        writerRate,
        'constant',
      ),
      line(
        `records applied by SIGINT (${FOLLOW_GOAL_P99_MS / 1000} s after)`,
        int(b.summary.follow?.records),
        `written ${int(sourceChanges)}`,
        percent((b.summary.follow?.records ?? 0) / sourceChanges),
        '',
        undefined,
      ),
      line(
        'items in target at SIGINT',
        int(b.targetCount),
        `source ${int(b.sourceCount)}`,
        '',
        '= source',
        b.targetCount === b.sourceCount,
      ),
    ],
    notes: [
      ...(QUICK
        ? [
            `--quick: ${int(items)} queued changes and ${SIZES.followLagSeconds} s of steady load (the full bench: 50,000 and 40 s)`,
          ]
        : []),
      `catch-up: follow --from trim-horizon --until-caught-up --json: status ${a.summary.status}, ${int(a.records)} records (${int(a.summary.follow?.puts)} puts, ${int(a.summary.follow?.deletes)} deletes), ${a.summary.follow?.shards?.total} shard(s), retries ${JSON.stringify(a.summary.retries)}; records/s = records ÷ its durationMs ${fixed(a.seconds, 2)} s (from its start, connect and describe included, to caught up: two empty polls at the tip); process wall ${fixed(a.run.wallMs / 1000, 2)} s (${int(a.records / (a.run.wallMs / 1000))} records/s), of which ${fixed(a.beforeStepMs / 1000, 2)} s to its "[3/3]" line (Node start, connect, describe, stream position) and ${fixed(a.stepMs / 1000, 2)} s from it to exit (${int(a.records / (a.stepMs / 1000))} records/s, the tip check included), ddbcopy CPU ${fixed(a.run.cpuMs / 1000, 1)} s, peak RSS ${int(a.run.maxRssMb)} MB`,
      `ceiling: bench/lib/loader.mjs (bare BatchWriteItem, ${LOADER_CONCURRENCY} in flight) writing the same ${int(items)} items into an empty table without a stream in the target account, ${fixed(a.loaded.durationMs / 1000, 2)} s, right after the same loader filled the source (stream on) at ${int(a.fillRate)} items/s; target and source counted by Select COUNT scans`,
      `before ddbcopy, a bare read of the stream (GetRecords Limit 1000, one call at a time, no writes) warmed Local's read path: ${int(a.readPass.records / (a.readPass.durationMs / 1000))} records/s, ${fixed(a.readPass.readMsAverage, 0)} ms per page; after ddbcopy, bench/lib/stream-follower.mjs (the same reads, pages cut into 25-item BatchWriteItems that ${LOADER_CONCURRENCY} writers drain from a queue two pages deep: no page boundary to wait for, no checkpoint, no order) applied the same changes to another empty table: ${int(a.bare.written)} in ${fixed(a.bare.durationMs / 1000, 2)} s, ${fixed(a.bare.readMsAverage, 0)} ms per page, CPU ${fixed(a.bareRun.cpuMs / 1000, 1)} s`,
      `lag: follow --from trim-horizon on fresh tables, started ${fixed(b.startupMs / 1000, 1)} s before the load (until its "[3/3]" step line); writer BatchWriteItem of ${FOLLOW_LOAD.batchItems} × 1 KB every ${fixed((1000 * FOLLOW_LOAD.batchItems) / FOLLOW_LOAD.itemsPerSecond, 0)} ms for ${SIZES.followLagSeconds} s (${int(probed.writer.items)} items, ${probed.writer.errors} failed batches, ${probed.writer.lateTicks} late ticks, at most ${probed.writer.maxInFlight} in flight); a probe PutItem every ${FOLLOW_LOAD.probeEveryMs} ms, then a consistent GetItem on the target every ${FOLLOW_LOAD.pollEveryMs} ms: lag = found − put acknowledged`,
      `lag samples: ${lags.length} of ${probed.probes.length} probes (first ${FOLLOW_LOAD.warmupMs / 1000} s discarded as warm-up), ${missing} missing after ${FOLLOW_LOAD.probeTimeoutMs / 1000} s; p90 ${int(quantile(lags, 0.9))} ms, min ${int(lags[0])} ms; ddbcopy's own lagSeconds at the end (from stream timestamps, rounded to the minute in Local) ${b.summary.follow?.lagSeconds}`,
      `SIGINT ${FOLLOW_GOAL_P99_MS / 1000} s after the load ended: exit ${b.run.exitCode ?? b.run.signal}, status ${b.summary.status}, ${int(b.summary.follow?.records)} records (${int(b.summary.follow?.puts)} puts); ddbcopy CPU ${fixed(b.run.cpuMs / 1000, 1)} s in ${fixed(b.run.wallMs / 1000, 1)} s wall`,
      `each phase on a DynamoDB Local of its own: writes into a stream table slow down with the records other streams on the same Local hold (2,500 → 185 items/s once another stream held 12,000), so the catch-up's stream would throttle the steady load's writer; the second Local was warmed up by ${int(b.warm.items)} loader writes into a table without a stream (${int(b.warm.items / (b.warm.durationMs / 1000))} items/s)`,
      `machine load (${os.availableParallelism()} cores shared by DynamoDB Local's JVM, ddbcopy, the loader or the writer/probe, this bench, and whatever else runs here): catch-up ${cores(a.cpu.machine)} cores busy (ddbcopy ${cores(a.run.cpuMs / a.run.wallMs)}, DynamoDB Local ${cores(a.cpu.byPid.local)}); steady load ${cores(b.cpu.machine)} cores busy (ddbcopy ${cores(b.cpu.byPid.ddbcopy)}, DynamoDB Local ${cores(b.cpu.byPid.local)}, writer/probe ${cores(b.probeRun.cpuMs / b.probeRun.wallMs)}); load average at the bench's start ${fixed(loadBefore[0], 2)}`,
      ...(problems.length ? [`ERROR: ${problems.join('; ')}`] : []),
    ],
    raw: {
      catchUp: {
        summary: a.summary,
        client: clientFigures(a.run),
        recordsPerSecond: a.rate,
        targetCount: a.targetCount,
        sourceCount: a.sourceCount,
        cpu: a.cpu,
        bareFollower: { result: a.bare, client: clientFigures(a.bareRun), recordsPerSecond: a.bareRate },
        readPass: a.readPass,
      },
      ceiling: { result: a.loaded, client: clientFigures(a.load), itemsPerSecond: a.loaderRate },
      fill: { result: a.filled, itemsPerSecond: a.fillRate },
      lag: {
        summary: b.summary,
        client: clientFigures(b.run),
        startupMs: b.startupMs,
        warm: b.warm,
        writer: probed.writer,
        probeClient: clientFigures(b.probeRun),
        quantilesMs: { p50, p90: quantile(lags, 0.9), p99, max, min: lags[0] },
        samples: lags.length,
        missing,
        probes: probed.probes,
        sourceCount: b.sourceCount,
        targetCount: b.targetCount,
        cpu: b.cpu,
      },
    },
  };
  if (problems.length) row.error = problems.join('; ');
  rows.push(row);
}

/**
 * Calls `onStep` when a running `ddbcopy follow` prints its follow step ("[3/3] ...") or a
 * "following:" progress line on stderr; returns what stops watching.
 */
function watchFollowStep(child, onStep) {
  let seen = '';
  const onData = (chunk) => {
    seen = (seen + chunk).slice(-4000);
    if (/\[3\/3\]|following:/.test(seen)) onStep();
  };
  child.stderr.on('data', onData);
  return () => child.stderr.off('data', onData);
}

/** The `q` quantile of sorted numbers (nearest rank), or undefined when there are none. */
function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function profile() {
  const dir = path.join(ROOT, 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const result = await logged(`ceiling run of ${int(SIZES.large)} items under --cpu-prof`, () =>
    stubCopy(SIZES.large, { profileDir: dir }),
  );
  const summaries = summarizeProfiles(dir, ROOT);
  return {
    dir,
    itemsPerSecond: rate(result.summary),
    client: clientFigures(result.run),
    threads: summaries,
  };
}

async function perfProfile() {
  if (!perfAvailable())
    throw new Error('`perf` is not installed (apt-get install linux-perf); --perf skipped');
  const dir = path.join(ROOT, 'bench', 'profiles', `perf-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'perf.data');
  const result = await logged(`ceiling run of ${int(SIZES.large)} items under perf record`, () =>
    stubCopy(SIZES.large, { perfFile: file }),
  );
  const summary = await logged('perf report', async () => summarizePerf(file, ROOT));
  // The JIT symbol map `node --perf-basic-prof` wrote for perf; it has served.
  rmSync(path.join(os.tmpdir(), `perf-${result.run.pid}.map`), { force: true });
  return { file, itemsPerSecond: rate(result.summary), client: clientFigures(result.run), ...summary };
}

// --- helpers ---------------------------------------------------------------------------------------

function upstreamName() {
  return CAPACITY_UPSTREAM === 'local' ? 'DynamoDB Local' : 'stub sink';
}

function clientFigures(run) {
  return {
    exitCode: run.exitCode,
    signal: run.signal,
    wallMs: Math.round(run.wallMs),
    cpuMs: run.cpuMs === undefined ? undefined : Math.round(run.cpuMs),
    userMs: run.userMs === undefined ? undefined : Math.round(run.userMs),
    systemMs: run.systemMs === undefined ? undefined : Math.round(run.systemMs),
    maxRssMb: run.maxRssMb === undefined ? undefined : Math.round(run.maxRssMb),
    peakMb: run.peakMb,
  };
}

function summaryLine(summary) {
  return `${summary.status}, ${int(summary.items?.written)} written in ${fixed(summary.durationMs / 1000, 2)} s, ${summary.segments} segments, retries ${JSON.stringify(summary.retries)}`;
}

async function logged(what, run) {
  const t = performance.now();
  log(`${what} ...`);
  const result = await run();
  log(`${what}: ${fixed((performance.now() - t) / 1000, 1)} s`);
  return result;
}

async function attempt(ids, title, run) {
  try {
    await run();
  } catch (error) {
    log(`${title} failed: ${error.stack ?? error}`);
    for (const id of ids) {
      if (ROWS.has(id) && !rows.some((row) => row.id === id))
        rows.push({
          id,
          title,
          lines: [],
          notes: [`FAILED: ${String(error.message ?? error).split('\n')[0]}`],
          error: String(error.stack ?? error),
        });
    }
  }
}

function render(allRows) {
  const header = ['#', 'measure', 'ddbcopy', 'reference', 'ratio', 'goal', 'met'];
  const body = [];
  for (const row of allRows) {
    body.push({ title: `${row.id}  ${row.title}` });
    for (const l of row.lines)
      body.push({
        cells: [
          '',
          l.measure,
          l.ours,
          // Only a same-run reference stands bare in the reference column; a constant is named so.
          l.basis === 'same run' || !l.reference ? l.reference : `${l.reference} (${l.basis})`,
          l.basis === 'goal' && l.ratio ? `${l.ratio} of goal` : l.ratio,
          l.goal,
          l.met === undefined ? '' : l.met ? 'yes' : 'NO',
        ],
      });
    for (const note of row.notes ?? []) body.push({ note });
  }
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.filter((b) => b.cells).map((b) => String(b.cells[i]).length)),
  );
  const right = new Set([2, 4]);
  const format = (cells) =>
    cells
      .map((cell, i) => (right.has(i) ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  const out = [format(header), rule];
  for (const b of body) {
    if (b.title) out.push(b.title);
    else if (b.cells) out.push(format(b.cells));
    else out.push(`      · ${b.note}`);
  }
  out.push(rule);
  out.push(
    'reference: measured in this run unless marked (constant: a fixed figure), (derived: computed from constants) or (machine); "of goal": ours ÷ the goal',
  );
  return out.join('\n');
}

// --- run -------------------------------------------------------------------------------------------

let profileResult;
let perfResult;
try {
  if (ROWS.has(1) || ROWS.has(4)) await attempt([1, 4], 'Ceiling / memory (stub)', ceilingAndMemory);
  if (ROWS.has(2)) await attempt([2], 'Peer comparison on DynamoDB Local', peerComparison);
  if (ROWS.has(3)) await attempt([3], 'Capacity use under 4,000 WCU', capacity);
  if (ROWS.has(5)) await attempt([5], 'Seed scenario', seed);
  if (ROWS.has(6)) await attempt([6], 'Resume cost', resume);
  if (ROWS.has(7)) await attempt([7], 'Many tables in one run', manyTables);
  if (ROWS.has(8)) await attempt([8], 'Masked and filtered copies', masksAndFilter);
  if (ROWS.has(9)) await attempt([9], 'Follow', follow);
  if (flags.perf)
    await attempt([], 'perf profile', async () => {
      perfResult = await perfProfile();
    });
  if (flags.profile)
    await attempt([], 'Profile', async () => {
      profileResult = await profile();
    });
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(tempDir, { recursive: true, force: true });
}

rows.sort((a, b) => a.id - b.id);
const machine = {
  cpus: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverageBefore: loadBefore.map((n) => Number(n.toFixed(2))),
  loadAverageAfter: os.loadavg().map((n) => Number(n.toFixed(2))),
};
const heading =
  `ddbcopy bench${QUICK ? ' --quick' : ''}: ${new Date(started).toISOString()}, ${machine.cpus} cores (${machine.cpuModel}), ` +
  `${machine.memoryGb} GB, Node ${machine.node}; load average ${machine.loadAverageBefore[0]} before, ${machine.loadAverageAfter[0]} after; ` +
  `${fixed((Date.now() - started) / 1000, 0)} s in all`;
// Before only: the load after the bench counts its own processes (see busy() in readme-table.mjs).
const busy = machine.loadAverageBefore[0] > machine.cpus * 0.75;
process.stdout.write(`\n${heading}\n${render(rows)}\n`);
if (busy)
  process.stdout.write(
    'note: other processes kept this machine busy (load average above); wall-clock figures are lower than on an idle machine, CPU-s per item less so.\n',
  );
if (profileResult) {
  const { client, threads } = profileResult;
  const profiledMs = threads.reduce((sum, thread) => sum + thread.busyMs, 0);
  process.stdout.write(
    `\nCPU profile of a ceiling run (${int(SIZES.large)} items, ${int(profileResult.itemsPerSecond)} items/s under the profiler), ${profileResult.dir}\n` +
      `process CPU ${fixed(client.cpuMs / 1000, 2)} s (user ${fixed(client.userMs / 1000, 2)}, system ${fixed(client.systemMs / 1000, 2)}) in ${fixed(client.wallMs / 1000, 2)} s wall; ` +
      `JavaScript thread(s) not idle for ${fixed(profiledMs / 1000, 2)} s. V8 samples wall time: on a busy machine that includes time the OS ` +
      'had the thread descheduled, and CPU of other threads (parallel GC, compiler) is not sampled; `--perf` measures CPU of every thread.\n' +
      `${formatProfiles(threads)}\n`,
  );
}
if (perfResult) {
  const { client } = perfResult;
  process.stdout.write(
    `\nperf profile of a ceiling run (${int(SIZES.large)} items, ${int(perfResult.itemsPerSecond)} items/s under perf), ${perfResult.file}\n` +
      `process CPU ${fixed(client.cpuMs / 1000, 2)} s in ${fixed(client.wallMs / 1000, 2)} s wall; shares are of CPU samples of every thread of the client\n` +
      `${formatPerf(perfResult)}\n`,
  );
}
const thisRun = {
  startedAt: new Date(started).toISOString(),
  quick: QUICK,
  durationMs: Date.now() - started,
  machine,
  sizes: SIZES,
  capacityUpstream: CAPACITY_UPSTREAM,
  rows: [...ROWS].sort((a, b) => a - b),
};
const results = {
  ...mergeResults(readPreviousResults(), thisRun, rows),
  profile: profileResult,
  perf: perfResult,
};
writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
if (results.runs.length > 1)
  log(
    `bench/results.json: rows ${thisRun.rows.join(', ')} from this run, the others kept from ${results.runs.length - 1} earlier run(s) (each row names its run)`,
  );
process.exitCode = rows.some((row) => row.error) ? 1 : 0;
// The README's Performance table, from bench/results.json.
const readme = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'readme-table.mjs')], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (readme.status !== 0) {
  log('bench/readme-table.mjs failed: the README table was not regenerated');
  process.exitCode = 1;
}

/** The previous bench/results.json, or undefined when there is none (or it does not parse). */
function readPreviousResults() {
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}
