/**
 * The README's Performance table is generated from bench/results.json (bench/readme-table.mjs): a
 * figure's reference column holds only what was measured in the same run (a goal, a constant or a
 * figure derived from constants is named so, in the ratio column), and rows from different runs
 * (a `--rows` run merges into results.json) say which run each comes from.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

interface ReadmeTable {
  renderTable(results: object): string;
  replaceTable(readme: string, table: string): string;
  START: string;
  END: string;
}

interface ResultsRow {
  id: number;
  run?: string;
  title: string;
}
interface Results {
  startedAt: string;
  runs: { startedAt: string; rows: number[] }[];
  rows: ResultsRow[];
}
interface ResultsFile {
  mergeResults(previous: object | undefined, run: object, measured: object[]): Results;
}

// The bench is plain JavaScript; loaded by path so the type checker takes the shapes above.
const MODULE = new URL('../../bench/readme-table.mjs', import.meta.url).href;
const RESULTS = new URL('../../bench/lib/results-file.mjs', import.meta.url).href;
let table: ReadmeTable;
let resultsFile: ResultsFile;

beforeAll(async () => {
  table = (await import(MODULE)) as ReadmeTable;
  resultsFile = (await import(RESULTS)) as ResultsFile;
});

const machine = {
  cpus: 2,
  cpuModel: 'AMD EPYC',
  memoryGb: 24,
  node: 'v20.20.2',
  loadAverageBefore: [0.5, 0.4, 0.3],
  loadAverageAfter: [1.5, 1, 0.5],
};
const line = (
  measure: string,
  reference: string,
  ratio: string,
  goal: string,
  basis: string,
  headline = true,
) => ({
  measure,
  ours: '42,000',
  reference,
  ratio,
  goal,
  met: true,
  basis,
  headline,
});
const run = (startedAt: string, rows: number[]) => ({
  startedAt,
  quick: true,
  durationMs: 300_000,
  machine,
  rows,
});
const A = '2026-12-02T10:00:00.000Z';
const B = '2026-12-01T09:00:00.000Z';

/** The table's lines that are rows (not its header). */
const bodyLines = (markdown: string) =>
  markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| #') && !l.startsWith('|---'));
const cells = (row: string) => row.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, ''));

describe('the README table from bench/results.json', () => {
  it('puts only same-run references in the reference column and names goals and constants', () => {
    const markdown = table.renderTable({
      startedAt: A,
      quick: true,
      machine,
      runs: [run(A, [1, 5])],
      rows: [
        {
          id: 1,
          run: A,
          title: 'Ceiling',
          lines: [
            line('items/s', '', '1.05×', '≥ 40,000', 'goal'),
            line('items/s', 'SDK v3 reference 17,000', '2.47×', '', 'same run'),
            line('MB/s', '', '', '', 'same run', false),
          ],
        },
        {
          id: 5,
          run: A,
          title: 'Seed',
          lines: [
            line('projected s', 'minimum 100.0', '1.01×', '≤ 1.05×', 'derived'),
            line('projected s vs the AWS pattern', 'estimate ~300', '0.34×', '', 'constant'),
          ],
        },
      ],
    });
    expect(markdown).toContain('One run: `npm run bench -- --quick` of 2026-12-02 10:00:00 UTC');
    expect(markdown).toContain('load average 0.5 before, 1.5 after');
    const rows = bodyLines(markdown).map(cells);
    // Headline lines only: MB/s is left out.
    expect(rows.map((r) => r[2])).toEqual([
      'items/s',
      'items/s',
      'projected s',
      'projected s vs the AWS pattern',
    ]);
    expect(rows.map((r) => r[4])).toEqual(['', 'SDK v3 reference 17,000', '', '']);
    expect(rows.map((r) => r[5])).toEqual([
      '1.05× of the goal',
      '2.47×',
      '1.01× of minimum 100.0 (derived from constants)',
      '0.34× of estimate ~300 (a constant, not measured)',
    ]);
  });

  it('names the run of each row when the rows come from several runs', () => {
    const markdown = table.renderTable({
      startedAt: A,
      quick: true,
      machine,
      runs: [run(A, [1]), run(B, [2])],
      rows: [
        { id: 1, run: A, title: 'Ceiling', lines: [line('items/s', 'x 1', '1×', '', 'same run')] },
        { id: 2, run: B, title: 'Peer', lines: [line('items/s', 'peer 1', '1×', '', 'same run')] },
      ],
    });
    expect(markdown).toContain('The rows come from 2 runs');
    expect(markdown).toContain('- run A: `npm run bench -- --quick` of 2026-12-02 10:00:00 UTC; rows 1;');
    expect(markdown).toContain('- run B: `npm run bench -- --quick` of 2026-12-01 09:00:00 UTC; rows 2;');
    const rows = bodyLines(markdown).map(cells);
    expect(rows.map((r) => r[1])).toEqual(['Ceiling (run A)', 'Peer (run B)']);
  });

  it('replaces only the text between the markers', () => {
    const readme = `before\n${table.START}\nold table\n${table.END}\nafter\n`;
    expect(table.replaceTable(readme, 'new table')).toBe(
      `before\n${table.START}\nnew table\n${table.END}\nafter\n`,
    );
    expect(() => table.replaceTable('no markers', 'x')).toThrow(/markers/);
  });

  it('a --rows run replaces its rows and keeps the others with the run that measured them', () => {
    // A results file from before rows were stamped: rows 1, 2 and 4 of run B.
    const previous = {
      startedAt: B,
      quick: true,
      machine,
      rows: [1, 2, 4].map((id) => ({ id, title: `old ${id}`, lines: [] })),
    };
    const merged = resultsFile.mergeResults(previous, run(A, [1, 4]), [
      { id: 1, title: 'new 1', lines: [] },
      { id: 4, title: 'new 4', lines: [] },
    ]);
    expect(merged.startedAt).toBe(A);
    expect(merged.rows.map((row) => [row.id, row.title, row.run])).toEqual([
      [1, 'new 1', A],
      [2, 'old 2', B],
      [4, 'new 4', A],
    ]);
    expect(merged.runs.map((r) => [r.startedAt, r.rows])).toEqual([
      [A, [1, 4]],
      [B, [1, 2, 4]],
    ]);
    const markdown = table.renderTable(merged);
    expect(markdown).toContain('- run A: `npm run bench -- --quick` of 2026-12-02 10:00:00 UTC; rows 1, 4;');
    expect(markdown).toContain(
      '- run B: `npm run bench -- --quick` of 2026-12-01 09:00:00 UTC; rows 2 (its rows 1, 4: replaced by a later run);',
    );
    // A later run of every row leaves one run.
    const C = '2026-12-03T10:00:00.000Z';
    const whole = resultsFile.mergeResults(merged, run(C, [1, 2, 4]), [
      { id: 1, title: 'c 1', lines: [] },
      { id: 2, title: 'c 2', lines: [] },
      { id: 4, title: 'c 4', lines: [] },
    ]);
    expect(whole.runs.map((r) => r.startedAt)).toEqual([C]);
    expect(whole.rows.every((row) => row.run === C)).toBe(true);
  });
});

describe('the README', () => {
  it('holds exactly the table the committed bench/results.json generates (no hand-edited figure)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const results = JSON.parse(readFileSync(new URL('../../bench/results.json', import.meta.url), 'utf8'));
    expect(table.replaceTable(readme, table.renderTable(results))).toBe(readme);
  });
});
