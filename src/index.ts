/**
 * The library: the same runs the CLI makes, without the terminal. Each `run*` resolves with an outcome
 * (summary, typed error, exit code) and never throws for a failure it can explain; `copyTable` and
 * `verifyTables` resolve with the summary and throw the typed error instead.
 */

export * from './errors.js';
export type { CopyPlan } from './plan/copy-plan.js';
export { type CopyPolicies, copyPolicies, type PolicyDocument } from './plan/iam-policy.js';
export type { CopyEvent, StepName } from './runs/copy/events.js';
export { type CopyMode, type CopyOptions, type RateSpec, validateCopyOptions } from './runs/copy/options.js';
export { type CopyHooks, type CopyOutcome, copyTable, runCopy } from './runs/copy/run-copy.js';
export type { CopySummary } from './runs/copy/summary.js';
export {
  type ExportHooks,
  type ExportOptions,
  type ExportOutcome,
  type ExportSummary,
  runExport,
} from './runs/export/run-export.js';
export {
  type ImportHooks,
  type ImportOptions,
  type ImportOutcome,
  type ImportSummary,
  runImport,
} from './runs/import/run-import.js';
export type { VerifyEvent } from './runs/verify/events.js';
export {
  DEFAULT_SAMPLES,
  type VerifyOptions,
  validateVerifyOptions,
  verifyOptionsAfterCopy,
} from './runs/verify/options.js';
export { runVerify, type VerifyHooks, type VerifyOutcome, verifyTables } from './runs/verify/run-verify.js';
export type { DynamoDbJsonKey, VerifySummary } from './runs/verify/summary.js';
export type { SideConfig } from './stores/dynamodb/client.js';
export type * from './stores/types.js';
