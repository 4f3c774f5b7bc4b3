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
  | 'copy'
  | 'prune'
  | 'follow'
  | 'verify';

/** What the engine tells a renderer. Renderers read `stats` on their own schedule while copying. */
export type CopyEvent =
  | { type: 'step'; name: StepName; message: string }
  | { type: 'plan'; plan: CopyPlan }
  | { type: 'warning'; message: string }
  | { type: 'copy-started'; stats: CopyStats }
  | { type: 'copy-finished'; stats: CopyStats }
  /** --follow: applying the stream's changes; renderers read lag and rates from `stats`. */
  | { type: 'follow-started'; stats: FollowStats }
  | { type: 'follow-finished'; stats: FollowStats };
