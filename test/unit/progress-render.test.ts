/**
 * The progress a copy, an export or an import shows, driven through a fake terminal (isTTY, columns)
 * and a pipe: the bar with WCU/s and RCU/s against the caps, lines above it, the summary never drawn
 * over it; without a terminal a timestamped line only when something changed; JSON events.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportEnd } from '../../src/cli/output/run-end.js';
import { createReporter } from '../../src/cli/render/reporter.js';
import { CopyStats } from '../../src/runtime/stats.js';
import { fakeStream, testOutput } from '../harness/output.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is looked for
const ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]|\r/;

afterEach(() => {
  vi.useRealTimers();
});

function copyingStats(): CopyStats {
  const stats = new CopyStats();
  stats.expectedItems = 2_000;
  stats.itemsBefore = 1_000;
  stats.writeRateCap = 100;
  return stats;
}

const step = (number: number, message: string) =>
  ({ type: 'step', name: 'copy', number, total: 4, message }) as const;

describe('the bar on a terminal', () => {
  it('shows WCU/s against the cap and the resumed total; lines go above it; the summary starts below it', () => {
    vi.useFakeTimers();
    const terminal = fakeStream(true, 160);
    const output = testOutput(terminal.stream);
    expect(output.progress).toBe('bar');
    const reporter = createReporter(output);
    reporter.onEvent(step(4, 'Copying items'));
    const stats = copyingStats();
    reporter.onEvent({ type: 'copy-started', stats });
    stats.itemsWritten = 500;
    stats.bytesWritten = 50_000;
    stats.consumedWrite = 400;
    stats.consumedRead = 60;
    vi.advanceTimersByTime(5_000);
    reporter.onEvent({ type: 'warning', message: 'a warning while the bar shows' });
    stats.itemsWritten = 2_000;
    vi.advanceTimersByTime(1_000);
    reporter.onEvent({ type: 'copy-finished', stats });
    reportEnd(
      output,
      {
        status: 'completed',
        exitCode: 0,
        verdict: 'Copy completed.',
        block: 'Copy completed: a -> b\n  items  x',
      },
      { json: false },
    );
    reporter.close();
    const text = terminal.text();
    // The resumed run's bar counts the 1,000 items of the earlier run: 1,500 of 3,000 half-way.
    expect(text).toContain('1,500/3,000 items');
    expect(text).toMatch(/\d[\d,]* WCU\/s of 100, \d[\d,]* RCU\/s/);
    expect(text).toContain('3,000/3,000 items');
    // The warning took the bar's row (cleared first) and ended its line; the bar came back below it.
    const warning = text.indexOf('warning: a warning while the bar shows\n');
    expect(warning).toBeGreaterThan(0);
    expect(text.slice(0, warning).endsWith('\u001b[2K')).toBe(true);
    expect(text.slice(warning)).toContain('3,000/3,000 items');
    // The summary begins on a line of its own after the last frame, and nothing draws after it.
    const summary = text.indexOf('Copy completed: a -> b');
    expect(text[summary - 1]).toBe('\n');
    expect(text.slice(summary)).not.toMatch(ESCAPE);
    expect(text.slice(summary)).not.toContain('items |');
    expect(text.slice(text.lastIndexOf('3,000/3,000 items'), summary)).toMatch(/\n/);
  });
});

describe('progress without a terminal', () => {
  it('writes a timestamped line every 5 s only when something changed, and one at the end', () => {
    vi.useFakeTimers();
    const pipe = fakeStream(false);
    const output = testOutput(pipe.stream);
    expect(output.progress).toBe('lines');
    const reporter = createReporter(output, 'imported');
    const stats = copyingStats();
    reporter.onEvent({ type: 'copy-started', stats });
    stats.itemsWritten = 500;
    stats.consumedWrite = 500;
    vi.advanceTimersByTime(5_000);
    const first = pipe.text();
    expect(first).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ imported 1,500\/3,000 items \(50%\) \(1,000 before this run\), .* items\/s, [\d,]+ WCU\/s of 100, 0 RCU\/s/,
    );
    // A long throttled wait: nothing moves, nothing is written.
    vi.advanceTimersByTime(30_000);
    expect(pipe.text()).toBe(first);
    stats.itemsWritten = 2_000;
    reporter.onEvent({ type: 'copy-finished', stats });
    const lines = pipe.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/Z imported 3,000\/3,000 items \(100%\)/);
    expect(pipe.text()).not.toMatch(ESCAPE);
  });

  it('--progress json: steps, warnings and progress as one JSON object per line, none of them text', () => {
    vi.useFakeTimers();
    const pipe = fakeStream(false);
    const output = testOutput(pipe.stream, 'normal', { progress: 'json' }, 'import');
    const reporter = createReporter(output);
    reporter.onEvent(step(1, 'Connecting'));
    reporter.onEvent({ type: 'warning', message: 'careful' });
    const stats = copyingStats();
    reporter.onEvent({ type: 'copy-started', stats });
    stats.itemsWritten = 100;
    vi.advanceTimersByTime(2_000);
    reporter.onEvent({ type: 'copy-finished', stats });
    output.io.stderr.write('error: a stray line\n');
    const events = pipe
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.type)).toEqual(['step', 'warning', 'progress', 'progress', 'message']);
    expect(events[0]).toMatchObject({
      command: 'import',
      name: 'copy',
      number: 1,
      total: 4,
      message: 'Connecting',
    });
    expect(events[2]).toMatchObject({
      items: 1_100,
      itemsThisRun: 100,
      itemsExpected: 3_000,
      writeRateCap: 100,
    });
    expect(events[4]).toMatchObject({ text: 'error: a stray line' });
  });
});

describe('--log-file', () => {
  it('gets the steps --quiet hides, the progress lines a bar replaces, and the verdict', () => {
    vi.useFakeTimers();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-log-'));
    try {
      const log = path.join(dir, 'run.log');
      const terminal = fakeStream(true);
      const output = testOutput(terminal.stream, 'quiet', { logFile: log, progress: 'bar' });
      const reporter = createReporter(output);
      reporter.onEvent(step(4, 'Copying items'));
      const stats = copyingStats();
      reporter.onEvent({ type: 'copy-started', stats });
      stats.itemsWritten = 2_000;
      reporter.onEvent({ type: 'copy-finished', stats });
      reportEnd(
        output,
        { status: 'completed', exitCode: 0, verdict: 'Copy completed: 3,000 item(s).' },
        { json: false },
      );
      output.close();
      expect(terminal.text()).not.toContain('[4/4]');
      const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
      for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S/);
      const text = lines.map((line) => line.slice(21)).join('\n');
      expect(text).toContain('[4/4] Copying items');
      expect(text).toMatch(/^copied 3,000\/3,000 items \(100%\)/m);
      expect(text).toContain('Copy completed: 3,000 item(s).');
      expect(text).not.toMatch(ESCAPE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
