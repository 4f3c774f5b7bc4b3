import type { CopyEvent, StepName } from '../../index.js';
import { formatDuration } from './format.js';
import { type ProgressView, startProgress } from './progress.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

const STEP_NUMBERS: Record<StepName, number> = {
  connect: 1,
  describe: 2,
  delete: 3,
  create: 4,
  settings: 5,
  copy: 6,
  verify: 7,
};

/** Subscribes to a run's events and writes them to stderr: steps, warnings, progress. */
export interface Reporter {
  onEvent(event: CopyEvent): void;
  /** Stops the progress display (also after a failure, when no 'copy-finished' comes). */
  close(): void;
}

/** Prints `[n/total] message` lines (not with --quiet); --verbose adds how long the previous step took. */
export function stepPrinter(
  stream: NodeJS.WriteStream,
  verbosity: Verbosity,
): (number: number, total: number, message: string) => void {
  let stepStarted = performance.now();
  return (number, total, message) => {
    const now = performance.now();
    const took = verbosity === 'verbose' ? ` (previous step: ${formatDuration(now - stepStarted)})` : '';
    stepStarted = now;
    if (verbosity !== 'quiet') stream.write(`[${number}/${total}] ${message}${took}\n`);
  };
}

export function createReporter(stream: NodeJS.WriteStream, verbosity: Verbosity, totalSteps = 6): Reporter {
  let progress: ProgressView | undefined;
  const printStep = stepPrinter(stream, verbosity);
  const say = (line: string): void => {
    if (verbosity !== 'quiet') stream.write(`${line}\n`);
  };
  const close = (): void => {
    progress?.stop();
    progress = undefined;
  };
  const onEvent = (event: CopyEvent): void => {
    switch (event.type) {
      case 'step':
        printStep(STEP_NUMBERS[event.name], totalSteps, event.message);
        break;
      case 'warning':
        // Warnings show even with --quiet: they say what was not copied.
        stream.write(`warning: ${event.message}\n`);
        break;
      case 'plan':
        if (verbosity === 'verbose')
          say(`plan: ${JSON.stringify({ ...event.plan, createTable: undefined })}`);
        break;
      case 'copy-started':
        if (verbosity !== 'quiet') progress = startProgress(event.stats, stream);
        break;
      case 'copy-finished':
        close();
        break;
    }
  };
  return { onEvent, close };
}
