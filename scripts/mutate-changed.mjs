/**
 * `npm run mutate:changed [-- BASE]`: mutation testing of only the files of stryker.config.mjs's list
 * that differ from BASE (default `main`; the merge base, as a pull request's diff) or are changed in
 * the working tree, for CI, where the whole list (thousands of mutants) does not fit. The score
 * threshold still applies to what is mutated. Nothing to mutate: says so and succeeds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import config from '../stryker.config.mjs';

/** A glob of the config's list (`*` within one path segment, `**` across them) as a RegExp. */
function globPattern(glob) {
  const pattern = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => {
      if (part === '**/') return '(?:.*/)?';
      if (part === '*') return '[^/]*';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${pattern}$`);
}

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8' }).split('\n').filter(Boolean);
}

const base = process.argv[2] ?? process.env.MUTATE_BASE ?? 'main';
const changed = new Set([
  ...git('diff', '--name-only', '--diff-filter=d', `${base}...HEAD`),
  ...git('diff', '--name-only', '--diff-filter=d', 'HEAD'),
]);
const patterns = config.mutate.filter((glob) => !glob.startsWith('!')).map(globPattern);
const files = [...changed].filter((file) => patterns.some((pattern) => pattern.test(file))).sort();

if (files.length === 0) {
  console.log(`mutate:changed: no file of the mutate list differs from ${base}; nothing to mutate.`);
  process.exit(0);
}
console.log(`mutate:changed: ${files.length} file(s) differ from ${base}:\n  ${files.join('\n  ')}`);
const run = spawnSync('npx', ['stryker', 'run', '--mutate', files.join(',')], { stdio: 'inherit' });
process.exit(run.status ?? 1);
