import type { CopyEvent, StepName } from '../../index.js';
import { startFollowProgress } from './follow-progress.js';
import { formatDuration } from './format.js';
import { type ProgressView, startProgress } from './progress.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The steps a copy takes, in order; `prune`, `follow` and `verify` only when asked for. */
const STEPS: readonly StepName[] = [
  'connect',
  'describe',
  'delete',
  'create',
  'settings',
  'copy',
  'prune',
  'follow',
  'verify',
];

/** Each step's number out of how many this run has. */
function stepNumbers(extra: ReporterSteps): {
  numbers: Map<StepName, number>;
  total: number;
} {
  const steps =
    extra.steps ??
    STEPS.filter(
      (step) =>
        (step !== 'prune' || extra.prune) &&
        (step !== 'follow' || extra.follow) &&
        (step !== 'verify' || extra.verify),
    );
  return { numbers: new Map(steps.map((step, i) => [step, i + 1])), total: steps.length };
}

/** Which steps the run takes: a copy's, with follow and verify when asked for, or a list of its own. */
export interface ReporterSteps {
  prune?: boolean;
  follow?: boolean;
  verify?: boolean;
  steps?: readonly StepName[];
}

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

export function createReporter(
  stream: NodeJS.WriteStream,
  verbosity: Verbosity,
  extra: ReporterSteps = {},
): Reporter {
  const { numbers, total } = stepNumbers(extra);
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
        printStep(numbers.get(event.name) ?? total, total, event.message);
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
      case 'follow-finished':
        close();
        break;
      case 'follow-started':
        if (verbosity !== 'quiet') progress = startFollowProgress(event.stats, stream);
        break;
    }
  };
  return { onEvent, close };
}
