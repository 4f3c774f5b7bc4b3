import type { CopyEvent, CopyStats, ExportEvent, FollowStats, ImportEvent } from '../../index.js';
import type { Output, Verbosity } from '../output/output.js';
import { startFollowProgress } from './follow-progress.js';
import { formatDuration } from './format.js';
import { type ProgressView, startProgress } from './progress.js';

export type { Verbosity } from '../output/output.js';

/** Any run's event that this reporter draws: a copy's, a follow's, an export's or an import's. */
export type RunEvent = CopyEvent | ExportEvent | ImportEvent;

/** Subscribes to a run's events and writes them to stderr (and the log): steps, warnings, progress. */
export interface Reporter {
  onEvent(event: RunEvent): void;
  /** Stops the progress display (also after a failure, when no 'copy-finished' comes). Safe twice. */
  close(): void;
}

/**
 * Prints `[n/total] message`; --verbose adds how long the previous step took. With --quiet the line
 * goes to `hidden` instead (the log file keeps every step whatever stderr shows).
 */
export function stepPrinter(
  print: (line: string) => void,
  verbosity: Verbosity,
  hidden: (line: string) => void = () => {},
): (number: number, total: number, message: string) => void {
  let stepStarted = performance.now();
  return (number, total, message) => {
    const now = performance.now();
    const took = verbosity === 'verbose' ? ` (previous step: ${formatDuration(now - stepStarted)})` : '';
    stepStarted = now;
    (verbosity === 'quiet' ? hidden : print)(`[${number}/${total}] ${message}${took}`);
  };
}

/**
 * The one reporter of copy, follow, export and import: their steps come numbered by the run, their
 * item progress as CopyStats (a follow's as FollowStats). `verb` names what the progress line counts.
 */
export function createReporter(output: Output, verb = 'copied'): Reporter {
  const { verbosity } = output;
  let progress: ProgressView | undefined;
  // A line for people: above the bar while it shows, else as it is (and into the log).
  const print = (line: string): void => (progress ? progress.print(line) : output.line(line));
  const printStep = stepPrinter(print, verbosity, (line) => output.log?.line(line));
  const close = (): void => {
    progress?.stop();
    progress = undefined;
  };
  const onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'step':
        output.event('step', {
          name: event.name,
          number: event.number,
          total: event.total,
          message: event.message,
        });
        if (output.progress !== 'json') printStep(event.number, event.total, event.message);
        else output.log?.line(`[${event.number}/${event.total}] ${event.message}`);
        break;
      case 'warning':
        output.event('warning', { message: event.message });
        // Warnings show even with --quiet: they say what was not copied.
        if (output.progress !== 'json') print(`warning: ${event.message}`);
        else output.log?.line(`warning: ${event.message}`);
        break;
      case 'plan':
        if (verbosity === 'verbose' && output.progress !== 'json')
          print(`plan: ${JSON.stringify({ ...event.plan, createTable: undefined })}`);
        break;
      case 'copy-started':
        close();
        progress = startProgress(event.stats as CopyStats, output, verb);
        break;
      case 'follow-started':
        close();
        progress = startFollowProgress(event.stats as FollowStats, output);
        break;
      case 'copy-finished':
      case 'follow-finished':
        close();
        break;
    }
  };
  return { onEvent, close };
}
