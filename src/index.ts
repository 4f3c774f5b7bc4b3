/**
 * The library: the same runs the CLI makes, without the terminal. Each `run*` resolves with an outcome
 * (summary, typed error, exit code) and never throws for a failure it can explain; `copyTable` and
 * `verifyTables` resolve with the summary and throw the typed error instead.
 */
export { type CopyHooks, type CopyOutcome, copyTable, runCopy } from './core/copy-table.js';
export type { CopyEvent, StepName } from './core/events.js';
export {
  type ExportHooks,
  type ExportOptions,
  type ExportOutcome,
  type ExportSummary,
  runExport,
} from './core/export-table.js';
export { type CopyPolicies, copyPolicies, type PolicyDocument } from './core/iam-policy.js';
export {
  type ImportHooks,
  type ImportOptions,
  type ImportOutcome,
  type ImportSummary,
  runImport,
} from './core/import-table.js';
export type { CopyPlan } from './core/plan.js';
export type { CopySummary } from './core/summary.js';
export type { VerifyEvent } from './core/verify-events.js';
export type { DynamoDbJsonKey, VerifySummary } from './core/verify-summary.js';
export { runVerify, type VerifyHooks, type VerifyOutcome, verifyTables } from './core/verify-tables.js';
export * from './errors.js';
export { type CopyMode, type CopyOptions, type RateSpec, validateCopyOptions } from './options.js';
export type { SideConfig } from './stores/dynamodb/client.js';
export type * from './stores/types.js';
export {
  DEFAULT_SAMPLES,
  type VerifyOptions,
  validateVerifyOptions,
  verifyOptionsAfterCopy,
} from './verify-options.js';
