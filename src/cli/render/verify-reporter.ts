import { VERIFY_STEPS, type VerifyEvent } from '../../index.js';
import type { ProgressView } from './progress.js';
import { type Reporter, stepPrinter, type Verbosity } from './reporter.js';
import { startVerifyProgress } from './verify-progress.js';

/** Subscribes to a verify's events and writes them to stderr: steps, warnings, progress of each scan. */
export interface VerifyReporter extends Omit<Reporter, 'onEvent'> {
  onEvent(event: VerifyEvent): void;
}

export function createVerifyReporter(stream: NodeJS.WriteStream, verbosity: Verbosity): VerifyReporter {
  let progress: ProgressView | undefined;
  const printStep = stepPrinter(stream, verbosity);
  const say = (line: string): void => {
    if (verbosity !== 'quiet') stream.write(`${line}\n`);
  };
  const close = (): void => {
    progress?.stop();
    progress = undefined;
  };
  const onEvent = (event: VerifyEvent): void => {
    switch (event.type) {
      case 'step':
        printStep(VERIFY_STEPS.indexOf(event.name) + 1, VERIFY_STEPS.length, event.message);
        break;
      case 'warning':
        stream.write(`warning: ${event.message}\n`);
        break;
      case 'plan':
        if (verbosity === 'verbose') say(`plan: ${JSON.stringify(event.plan)}`);
        break;
      case 'scan-started':
        close();
        if (verbosity !== 'quiet') progress = startVerifyProgress(event.stats, stream);
        break;
      case 'scan-finished':
        close();
        break;
    }
  };
  return { onEvent, close };
}
