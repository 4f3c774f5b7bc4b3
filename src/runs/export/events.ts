import type { CopyStats } from '../../runtime/stats.js';
import type { StepEvent } from '../copy/events.js';

/** The steps of an export; 'discard' (an unfinished earlier export deleted) shares the items' number. */
export type ExportStepName = 'connect' | 'describe' | 'discard' | 'export' | 'manifests';

/** The stages of every export, numbered 1 to 4. */
export const EXPORT_STAGES: readonly (ExportStepName | readonly ExportStepName[])[] = [
  'connect',
  'describe',
  ['discard', 'export'],
  'manifests',
];

/**
 * What an export tells its caller, in order: numbered steps, warnings, and the start and end of
 * writing the items (a copy's 'copy-started' and 'copy-finished', with the same counters to read).
 */
export type ExportEvent =
  | StepEvent<ExportStepName>
  | { type: 'warning'; message: string }
  | { type: 'copy-started'; stats: CopyStats }
  | { type: 'copy-finished'; stats: CopyStats };
