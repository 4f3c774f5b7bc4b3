/**
 * What `npm pack` would publish (issue "the first hour", item 12): the CLI, the library, README,
 * LICENSE and CHANGELOG; no tests, no benchmarks, no source maps pointing at sources not shipped;
 * the fields a registry page shows; and no compiler run by `npm install` (prepack, not prepare),
 * while a clone still runs `npm ci && npx ddbcopy demo` (the bin builds dist/ on its first run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/cli.js';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  repository?: { url?: string };
  homepage?: string;
  bugs?: { url?: string };
  engines?: { node?: string };
};

describe('the package', () => {
  it('ships bin, dist, README, LICENSE and CHANGELOG, and nothing test-only', () => {
    expect(
      existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js')),
      'dist/ is missing: run `npm run build` (npm test does)',
    ).toBe(true);
    // --ignore-scripts: prepack would rebuild dist/ under the other tests.
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
      'dist/index.d.ts',
      'dist/cli/main.js',
    ]) {
      expect(files, needed).toContain(needed);
    }
    // docs/ (performance notes, the generated API reference) is for the repository: README links it.
    expect(files.filter((f) => /\.map$|^test\/|^bench\/|^src\/|^docs\/|^\.ci\/|^\.cache\//.test(f))).toEqual(
      [],
    );
    // Everything under dist/ is compiled from a file under src/: no test helper, no stray build.
    const orphans = files
      .filter((f) => f.startsWith('dist/'))
      .map((f) => f.replace(/^dist\//, 'src/').replace(/\.d\.ts$|\.js$/, '.ts'))
      .filter((source) => !existsSync(path.join(repoRoot, source)));
    expect(orphans).toEqual([]);
  }, 60_000);

  it('names its repository, home page and issue tracker, and the Node releases it runs on', () => {
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w-]+\/ddbcopy\.git$/);
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\/[\w-]+\/ddbcopy#readme$/);
    expect(manifest.bugs?.url).toMatch(/^https:\/\/github\.com\/[\w-]+\/ddbcopy\/issues$/);
    expect(manifest.engines?.node).toBe('>=20');
  });

  it('builds when packed, never on npm install (no prepare script)', () => {
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.prepack).toBe('npm run build');
  });
});

describe('the bin in a clone without dist/', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  /** A clone in miniature: the real bin, a one-file src/, and (unless bare) the repository's node_modules. */
  function clone(bare = false): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-clone-'));
    roots.push(root);
    mkdirSync(path.join(root, 'bin'));
    mkdirSync(path.join(root, 'src', 'cli'), { recursive: true });
    copyFileSync(path.join(repoRoot, 'bin', 'ddbcopy.js'), path.join(root, 'bin', 'ddbcopy.js'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      path.join(root, 'tsconfig.build.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          skipLibCheck: true,
          rootDir: 'src',
          outDir: 'dist',
        },
        include: ['src'],
      }),
    );
    writeFileSync(
      path.join(root, 'src', 'cli', 'main.ts'),
      [
        'export async function main(argv: string[]): Promise<number> {',
        "  process.stdout.write('ran ' + argv.join(' ') + '\\n');",
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    if (!bare) symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    return root;
  }

  const runBin = (root: string, args: string[]) =>
    spawnSync(process.execPath, [path.join(root, 'bin', 'ddbcopy.js'), ...args], { encoding: 'utf8' });

  it('builds dist/ on the first run, then runs from it', () => {
    const root = clone();
    const first = runBin(root, ['demo', '--items', '10']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('Building dist/ from src/ (once, on the first run from a clone)...');
    expect(first.stdout).toBe('ran demo --items 10\n');
    expect(existsSync(path.join(root, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(readdirSync(root).filter((name) => name.startsWith('dist.building-'))).toEqual([]);
    const second = runBin(root, ['demo']);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('ran demo\n');
  }, 60_000);

  it('without the compiler (not a clone, or before npm ci), says what to run (exit 1)', () => {
    const result = runBin(clone(true), ['demo']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is missing, and this is not a clone that can build it.');
    expect(result.stderr).toContain('npm ci && npm run build');
  });
});
