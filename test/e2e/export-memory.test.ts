/**
 * `ddbcopy export` keeps flat memory: the built CLI exports 20,000 and then 100,000 items of 1 KB
 * from the benchmark's stub endpoint (bench/stub-dynamodb.mjs, its own process, so the scan costs the
 * client only) into a directory, and each run's peak RSS is reported. The bound asserted is loose on
 * purpose (a table five times larger must not need much more memory); `npm run bench:files` measures
 * the figures properly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from '../harness/cli.js';

interface Stub {
  endpoint: string;
  define(...tables: { name: string; items: number; itemBytes: number }[]): Promise<unknown>;
  trust(...accounts: object[]): Promise<unknown>;
  stop(): void;
}
interface Measured {
  exitCode: number | null;
  maxRssMb: number | undefined;
  stdout: string;
  stderr: string;
}
interface BenchHarness {
  CLI: string;
  startStub(): Promise<Stub>;
  newAccount(name: string, endpoint: string, region: string): { name: string; endpoint: string };
  writeProfiles(dir: string, accounts: object[]): Record<string, string>;
  runMeasured(options: { script: string; args: string[]; env: object; tempDir: string }): Promise<Measured>;
}

// The benchmark's harness is plain JavaScript; loaded by path so the type checker takes the shape above.
const HARNESS = new URL('../../bench/lib/harness.mjs', import.meta.url).href;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-export-memory-'));
let harness: BenchHarness;
let stub: Stub;

beforeAll(async () => {
  assertBuilt();
  harness = (await import(HARNESS)) as BenchHarness;
  stub = await harness.startStub();
});
afterAll(() => {
  stub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('export memory', () => {
  it('100,000 items export with about the peak RSS of 20,000 (RSS reported)', async () => {
    const account = harness.newAccount('memstub', stub.endpoint, 'us-east-1');
    await stub.trust(account);
    const env = harness.writeProfiles(path.join(dir, 'aws'), [account]);
    const peaks: number[] = [];
    for (const items of [20_000, 100_000]) {
      const table = `memory_${items}`;
      await stub.define({ name: table, items, itemBytes: 1000 });
      const run = await harness.runMeasured({
        script: harness.CLI,
        args: [
          'export',
          '--source',
          table,
          '--source-profile',
          account.name,
          '--source-endpoint-url',
          stub.endpoint,
          '--out',
          path.join(dir, `out-${items}`),
          '--json',
        ],
        env,
        tempDir: dir,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ status: 'completed', items: { written: items } });
      console.log(
        `export of ${items} items: peak RSS ${run.maxRssMb?.toFixed(0)} MB, ${summary.itemsPerSecond} items/s, ${summary.export.files} files`,
      );
      peaks.push(run.maxRssMb ?? Number.NaN);
    }
    expect(peaks[1]).toBeLessThanOrEqual(peaks[0]! * 1.5);
  }, 120_000);
});
