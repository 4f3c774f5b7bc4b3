/**
 * The mutation score per file and per module group, from Stryker's JSON report.
 *
 * - As a Stryker reporter (`module-scores` in stryker.config.mjs): printed at the end of every
 *   `npm run mutate`.
 * - As a script: `node scripts/mutation-scores.mjs [report.json ...]` (default
 *   reports/mutation/mutation.json). Several reports (runs of separate module groups) are merged, a
 *   later report's result for a file replacing an earlier one's.
 *
 * The score is Stryker's: detected (killed, timed out) over valid mutants (detected, survived, not
 * covered); mutants that do not compile, or that a `// Stryker disable` comment ignores, do not count.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Module groups, as the issue names them: the first prefix a file starts with names its group. */
export const GROUPS = [
  ['engine: scan, queue, batcher, segment progress, item stage', ['src/engine/copy/']],
  ['engine: follow', ['src/engine/follow/']],
  ['runtime: retry, pacer, bounded queue', ['src/runtime/']],
  ['run record: checkpoint, resume', ['src/runs/shared/']],
  ['dynamodb: source, sink, wire client, item slices, errors', ['src/stores/dynamodb/']],
  ['verify: canonical form, hashing, digests, differences', ['src/engine/verify/', 'src/model/']],
  ['plan: copy plan, schema translation, schema compare, IAM', ['src/plan/']],
];

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Counts per file of a report's `files` (keys relative to the project, or absolute). */
export function fileCounts(files, root = process.cwd()) {
  const counts = new Map();
  for (const [name, file] of Object.entries(files)) {
    const relative = path.isAbsolute(name) ? path.relative(root, name) : name;
    const count = { detected: 0, undetected: 0, survived: 0, noCoverage: 0, ignored: 0, invalid: 0 };
    for (const mutant of file.mutants) {
      if (DETECTED.has(mutant.status)) count.detected++;
      else if (UNDETECTED.has(mutant.status)) {
        count.undetected++;
        if (mutant.status === 'Survived') count.survived++;
        else count.noCoverage++;
      } else if (mutant.status === 'Ignored') count.ignored++;
      else count.invalid++;
    }
    counts.set(relative.split(path.sep).join('/'), count);
  }
  return counts;
}

function groupOf(file) {
  for (const [name, prefixes] of GROUPS) if (prefixes.some((prefix) => file.startsWith(prefix))) return name;
  return 'other';
}

function score(count) {
  const valid = count.detected + count.undetected;
  return valid === 0 ? undefined : (100 * count.detected) / valid;
}

function add(into, count) {
  for (const key of Object.keys(count)) into[key] = (into[key] ?? 0) + count[key];
  return into;
}

function line(name, count) {
  const value = score(count);
  const shown = value === undefined ? '   n/a' : `${value.toFixed(2).padStart(6)}`;
  return `${shown} %  ${String(count.detected).padStart(5)} detected  ${String(count.survived).padStart(4)} survived  ${String(count.noCoverage).padStart(4)} no coverage  ${String(count.ignored).padStart(4)} ignored  ${name}`;
}

/** The printed table: each group's score, its files under it, and the total. */
export function formatScores(counts) {
  const groups = new Map();
  for (const [file, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    const group = groupOf(file);
    if (!groups.has(group)) groups.set(group, { files: [], total: {} });
    const entry = groups.get(group);
    entry.files.push([file, count]);
    add(entry.total, count);
  }
  const lines = ['Mutation score per module:'];
  const total = {};
  const order = [...GROUPS.map(([name]) => name), 'other'];
  for (const name of order) {
    const entry = groups.get(name);
    if (!entry) continue;
    add(total, entry.total);
    lines.push('', line(name, entry.total));
    for (const [file, count] of entry.files) lines.push(`  ${line(file, count)}`);
  }
  lines.push('', line('all mutated files', total));
  return lines.join('\n');
}

/** Stryker reporter: prints the table once the report is ready. */
class ModuleScoreReporter {
  static inject = [];
  onMutationTestReportReady(report) {
    console.log(`\n${formatScores(fileCounts(report.files))}\n`);
  }
}

export const strykerPlugins = [
  { kind: 'Reporter', name: 'module-scores', injectableClass: ModuleScoreReporter },
];

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = process.argv.slice(2);
  const merged = new Map();
  for (const file of reports.length > 0 ? reports : ['reports/mutation/mutation.json']) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    for (const [name, count] of fileCounts(report.files)) merged.set(name, count);
  }
  console.log(formatScores(merged));
}
