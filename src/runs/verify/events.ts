import type { VerifyPlan } from '../../plan/verify-plan.js';
import type { VerifyPhase, VerifyStats } from '../../runtime/verify-stats.js';

/** The numbered steps of a verify, in order. */
export type VerifyStepName = 'connect' | 'describe' | 'schema' | 'digest' | 'drill-down';

/** The steps of a verify in the order they run, for numbering them. */
export const VERIFY_STEPS: readonly VerifyStepName[] = [
  'connect',
  'describe',
  'schema',
  'digest',
  'drill-down',
];

/** What a verify tells a renderer. Renderers read `stats` on their own schedule while scanning. */
export type VerifyEvent =
  | { type: 'step'; name: VerifyStepName; message: string }
  | { type: 'plan'; plan: VerifyPlan }
  | { type: 'warning'; message: string }
  | { type: 'scan-started'; phase: VerifyPhase; stats: VerifyStats }
  | { type: 'scan-finished'; phase: VerifyPhase; stats: VerifyStats };
