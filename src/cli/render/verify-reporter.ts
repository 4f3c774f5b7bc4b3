import { VERIFY_STEPS, type VerifyEvent } from '../../index.js';
import type { Output } from '../output/output.js';
import type { ProgressView } from './progress.js';
import { stepPrinter } from './reporter.js';
import { startVerifyProgress } from './verify-progress.js';

/** Subscribes to a verify's events and writes them to stderr (and the log): steps, warnings, each scan. */
export interface VerifyReporter {
  onEvent(event: VerifyEvent): void;
  close(): void;
}

export function createVerifyReporter(output: Output): VerifyReporter {
  const { verbosity } = output;
  let progress: ProgressView | undefined;
  const print = (line: string): void => (progress ? progress.print(line) : output.line(line));
  const printStep = stepPrinter(print, verbosity, (line) => output.log?.line(line));
  const close = (): void => {
    progress?.stop();
    progress = undefined;
  };
  const onEvent = (event: VerifyEvent): void => {
    switch (event.type) {
      case 'step': {
        const number = VERIFY_STEPS.indexOf(event.name) + 1;
        const total = VERIFY_STEPS.length;
        output.event('step', { name: event.name, number, total, message: event.message });
        if (output.progress !== 'json') printStep(number, total, event.message);
        else output.log?.line(`[${number}/${total}] ${event.message}`);
        break;
      }
      case 'warning':
        output.event('warning', { message: event.message });
        if (output.progress !== 'json') print(`warning: ${event.message}`);
        else output.log?.line(`warning: ${event.message}`);
        break;
      case 'plan':
        if (verbosity === 'verbose' && output.progress !== 'json')
          print(`plan: ${JSON.stringify(event.plan)}`);
        break;
      case 'scan-started':
        close();
        progress = startVerifyProgress(event.stats, output);
        break;
      case 'scan-finished':
        close();
        break;
    }
  };
  return { onEvent, close };
}
