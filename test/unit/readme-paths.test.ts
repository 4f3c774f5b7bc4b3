/**
 * The README names only files that are in the repository: every repository path it quotes or links
 * (`src/...`, `bench/...`, `docs/...`, `ARCHITECTURE.md`, ...) exists, so a moved or deleted file
 * cannot leave a dead reference behind. Generated folders (`docs/api/`, gitignored) are allowed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/cli.js';

/** Folders the README names that `npm run docs` and the bench write: not in the repository by design. */
const GENERATED = ['docs/api/', 'bench/profiles/'];

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Paths in backticks or Markdown links that point into the repository. */
function repositoryPaths(markdown: string): string[] {
  const candidates = [
    ...[...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!),
    ...[...markdown.matchAll(/\]\(([^)\s#]+)\)/g)].map((m) => m[1]!),
    // The layout block lists folders and files at the start of its lines.
    ...[...markdown.matchAll(/^((?:src|test|bench|bin|docs)\/\S*)/gm)].map((m) => m[1]!),
  ];
  return [
    ...new Set(
      candidates.filter(
        (p) => /^(src|test|bench|bin|docs|\.ci)\/[\w./-]*$/.test(p) || /^[A-Z][A-Z_]+\.md$|^LICENSE$/.test(p),
      ),
    ),
  ];
}

describe('README', () => {
  it('names only files and folders that are in the repository', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const files = trackedFiles();
    const paths = repositoryPaths(readme);
    expect(paths).toContain('docs/performance.md');
    const missing = paths.filter(
      (p) =>
        !GENERATED.some((g) => p.startsWith(g)) &&
        !files.some((f) => f === p || f.startsWith(p.endsWith('/') ? p : `${p}/`)),
    );
    expect(missing).toEqual([]);
  });

  it('catches a path that is not there', () => {
    expect(repositoryPaths('see `src/nowhere.ts` and [notes](docs/gone.md)')).toEqual([
      'src/nowhere.ts',
      'docs/gone.md',
    ]);
  });
});
