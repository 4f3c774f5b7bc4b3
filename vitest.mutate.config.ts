/**
 * The tests `npm run mutate` runs against each mutant: the unit tests and the in-process conformance
 * suites that need no server (no DynamoDB Local, no built CLI), so that a mutant is judged in seconds
 * on two cores. Integration and end-to-end tests still run in `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/conformance/memory.test.ts',
      'test/conformance/export-dir-local.test.ts',
      'test/conformance/export-dir-s3.test.ts',
    ],
    // Tests of the built package or of dist/ say nothing about a mutant of src/.
    exclude: ['test/unit/package-contents.test.ts', 'test/unit/assert-built.test.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 60_000,
    pool: 'forks',
  },
});
