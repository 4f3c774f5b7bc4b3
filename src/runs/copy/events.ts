import type { CopyPlan } from '../../plan/copy-plan.js';
import type { FollowStats } from '../../runtime/follow-stats.js';
import type { CopyStats } from '../../runtime/stats.js';

/** The numbered steps of a copy, in order. */
export type StepName =
  | 'connect'
  | 'describe'
  | 'delete'
  | 'create'
  | 'settings'
  /** The target is kept as it is: a resume chosen at the prompt (it shares the target's number). */
  | 'keep'
  | 'copy'
  | 'prune'
  | 'follow'
  | 'verify';

/**
 * A numbered step: `number` of `total`, the total known before the first step (from the options).
 * Steps of one stage share its number (delete, create and settings are all "the target").
 */
export interface StepEvent<Name extends string> {
  type: 'step';
  name: Name;
  message: string;
  number: number;
  total: number;
}

/**
 * What a copy tells its caller, in order: numbered steps, warnings, the plan, and the item copy's
 * start and end. Between 'copy-started' and 'copy-finished' a renderer reads `stats` on its own
 * schedule (progressSnapshot), so accounting costs nothing per frame.
 */
export type CopyEvent =
  | StepEvent<StepName>
  | { type: 'plan'; plan: CopyPlan }
  | { type: 'warning'; message: string }
  | { type: 'copy-started'; stats: CopyStats }
  | { type: 'copy-finished'; stats: CopyStats }
  /** --follow: applying the stream's changes; renderers read lag and rates from `stats`. */
  | { type: 'follow-started'; stats: FollowStats }
  | { type: 'follow-finished'; stats: FollowStats };

/** The steps of a copy with these options, grouped in numbered stages, known before the first one. */
export function copyStages(options: {
  dryRun: boolean;
  mode: 'recreate' | 'data-only' | 'schema-only';
  resume: boolean;
  prune?: boolean | undefined;
  follow?: unknown;
  verify: boolean;
}): (StepName | readonly StepName[])[] {
  const stages: (StepName | readonly StepName[])[] = ['connect', 'describe'];
  if (options.dryRun) return options.prune ? [...stages, 'prune'] : stages;
  if (options.mode !== 'data-only' && !options.resume) stages.push(['delete', 'create', 'settings', 'keep']);
  if (options.mode !== 'schema-only') stages.push('copy');
  if (options.prune) stages.push('prune');
  if (options.follow !== undefined) stages.push('follow');
  if (options.verify) stages.push('verify');
  return stages;
}

/** An event as a run sends it, before its step is numbered. */
export type Unnumbered<Event> = Event extends { type: 'step' } ? Omit<Event, 'number' | 'total'> : Event;
