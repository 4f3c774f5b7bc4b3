/**
 * bench/results.json across runs. A run of some rows (`npm run bench -- --rows 1,4`) replaces those
 * rows and keeps the others from the runs that measured them, never relabelled as this run's: every
 * row carries `run` (its run's startedAt), and `runs` lists each run still represented (date,
 * --quick, machine and load, rows), newest first, so bench/readme-table.mjs can say which row comes
 * from which run. The top-level `startedAt`, `quick`, `durationMs`, `machine` and `sizes` are the
 * latest run's.
 */

/**
 * The results after `run` (`{ startedAt, quick, durationMs, machine, sizes, rows: [ids asked] }`)
 * measured `measured` (its rows), given the `previous` file's content (or undefined).
 */
export function mergeResults(previous, run, measured) {
  const asked = new Set(run.rows);
  const stamped = measured.map((row) => ({ ...row, run: run.startedAt }));
  const kept = (previous?.rows ?? [])
    .filter((row) => !asked.has(row.id))
    .map((row) => ({ ...row, run: row.run ?? previous.startedAt }));
  const rows = [...stamped, ...kept].sort((a, b) => a.id - b.id);
  const known = new Map((previous?.runs ?? []).map((r) => [r.startedAt, r]));
  // A file from before `runs` was kept: its one run.
  if (previous?.startedAt && !known.has(previous.startedAt))
    known.set(previous.startedAt, {
      startedAt: previous.startedAt,
      quick: previous.quick,
      durationMs: previous.durationMs,
      machine: previous.machine,
      sizes: previous.sizes,
      rows: (previous.rows ?? []).map((row) => row.id),
    });
  known.set(run.startedAt, run);
  const used = new Set(rows.map((row) => row.run));
  const runs = [...known.values()]
    .filter((r) => used.has(r.startedAt))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return {
    quick: run.quick,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    machine: run.machine,
    sizes: run.sizes,
    runs,
    rows,
  };
}
