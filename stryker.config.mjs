/**
 * Mutation testing (`npm run mutate`): StrykerJS changes the code where a bug loses or corrupts data or
 * leaks access, one small change at a time, and runs the tests that cover it; a mutant the tests do not
 * catch is a bug they would let through. `npm run mutate -- --mutate src/engine/copy/batcher.ts` runs
 * one file (what a change touches), the whole list below takes longer.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // module-scores (scripts/mutation-scores.mjs) prints the score per file and per module group.
  plugins: ['@stryker-mutator/vitest-runner', './scripts/mutation-scores.mjs'],
  // Each mutant runs only the tests that reach its code.
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    // The copy engine: scan, queue, batcher, segment progress (resume), the item stage.
    'src/engine/copy/batcher.ts',
    'src/engine/copy/segment-progress.ts',
    'src/engine/copy/copy-items.ts',
    'src/engine/copy/item-stage.ts',
    'src/engine/follow/*.ts',
    // Verify: canonical form, hashing, digests, differences.
    'src/model/item-canonical.ts',
    'src/model/canonical-number.ts',
    'src/model/item-hash.ts',
    'src/model/item-key.ts',
    'src/model/item-json.ts',
    'src/model/item-size.ts',
    'src/model/text-item.ts',
    'src/engine/verify/bucket-digest.ts',
    'src/engine/verify/difference-collector.ts',
    'src/engine/verify/compare-items.ts',
    // Runtime: retries, pacing, the bounded queue.
    'src/runtime/retry.ts',
    'src/runtime/pacer.ts',
    'src/runtime/bounded-queue.ts',
    // The run record.
    'src/runs/shared/checkpoint.ts',
    'src/runs/shared/run-record.ts',
    // DynamoDB's store: wire client (signing, the source's guard), item slices, errors, sink, source,
    // Scan pages read as text.
    'src/stores/dynamodb/wire-client.ts',
    'src/stores/dynamodb/item-slices.ts',
    'src/stores/dynamodb/json-structure.ts',
    'src/stores/dynamodb/errors.ts',
    'src/stores/dynamodb/sink.ts',
    'src/stores/dynamodb/source.ts',
    'src/stores/dynamodb/scan-page-text.ts',
    // Schema translation and the planners.
    'src/plan/translate-schema.ts',
    'src/plan/copy-plan.ts',
    'src/plan/schema-compare.ts',
    'src/plan/iam-policy.ts',
  ],
  reporters: ['clear-text', 'progress', 'json', 'module-scores'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  // Results are reused for mutants whose code and covering tests did not change since the last run
  // (reports/ is gitignored: the file is this checkout's cache, not a shared record). A static mutant
  // (in code run when a module loads, e.g. a module-level Set) has no per-test coverage, so a Survived
  // one is reused even after a test that kills it is added: `npm run mutate -- --force` runs them again.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Added to each test's measured time: a mutant that loops costs this much per test that reaches it.
  timeoutMS: 10_000,
};
