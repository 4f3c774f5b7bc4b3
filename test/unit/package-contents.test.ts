/**
 * What `npm pack` would publish (issue "the first hour", item 12): the CLI, the library, README,
 * LICENSE and CHANGELOG; no tests, no benchmarks, no source maps pointing at sources not shipped.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/cli.js';

describe('the package', () => {
  it('ships bin, dist, README, LICENSE and CHANGELOG, and nothing test-only', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const needed of [
      'LICENSE',
      'CHANGELOG.md',
      'README.md',
      'package.json',
      'bin/ddbcopy.js',
      'dist/index.js',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /\.map$|^test\/|^bench\/|^src\//.test(f))).toEqual([]);
  }, 60_000);
});
