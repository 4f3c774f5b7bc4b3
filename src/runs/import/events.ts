import type { CopyStats } from '../../runtime/stats.js';
import type { StepEvent } from '../copy/events.js';

/** The steps of an import; delete, create, settings and keep are one stage: the target. */
export type ImportStepName =
  | 'connect'
  | 'read'
  | 'check'
  | 'delete'
  | 'create'
  | 'settings'
  | 'keep'
  | 'import';

/** The stages of an import with these options: --resume keeps the target, so it has no target stage. */
export function importStages(options: {
  resume?: boolean | undefined;
}): (ImportStepName | readonly ImportStepName[])[] {
  return [
    'connect',
    'read',
    'check',
    ...(options.resume ? [] : [['delete', 'create', 'settings', 'keep'] as const]),
    'import',
  ];
}

/**
 * What an import tells its caller, in order: numbered steps, warnings, and the start and end of
 * writing the items (a copy's 'copy-started' and 'copy-finished', with the same counters to read).
 */
export type ImportEvent =
  | StepEvent<ImportStepName>
  | { type: 'warning'; message: string }
  | { type: 'copy-started'; stats: CopyStats }
  | { type: 'copy-finished'; stats: CopyStats };
