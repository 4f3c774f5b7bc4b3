/** The e2e tests' guard: they refuse a dist/ that is missing or older than src/. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt } from '../harness/cli.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository with src/a.ts, src/deep/b.ts and (unless null) dist/cli/main.js at these times (seconds). */
function repository(times: { a: number; b: number; main: number | null }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-built-'));
  roots.push(root);
  const file = (relative: string, seconds: number): void => {
    const full = path.join(root, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, seconds, seconds);
  };
  file('src/a.ts', times.a);
  file('src/deep/b.ts', times.b);
  if (times.main !== null) file('dist/cli/main.js', times.main);
  return root;
}

describe('assertBuilt', () => {
  it('accepts a dist/ built after the last change to src/', () => {
    expect(() => assertBuilt(repository({ a: 1000, b: 2000, main: 3000 }))).not.toThrow();
  });

  it('refuses a missing dist/', () => {
    expect(() => assertBuilt(repository({ a: 1000, b: 2000, main: null }))).toThrow(/dist\/ is missing/);
  });

  it('refuses a dist/ older than any file under src/, naming the file and the way out', () => {
    const root = repository({ a: 1000, b: 4000, main: 3000 });
    expect(() => assertBuilt(root)).toThrow(
      /dist\/ is older than src\/: src\/deep\/b\.ts changed at .*npm run build/,
    );
  });
});
