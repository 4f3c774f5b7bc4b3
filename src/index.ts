export type { VerifyEvent } from './core/verify-events.js';
export type { DynamoDbJsonKey, VerifySummary } from './core/verify-summary.js';
export { runVerify, type VerifyHooks, type VerifyOutcome, verifyTables } from './core/verify-tables.js';
export * from './errors.js';
export type * from './stores/types.js';
export {
  DEFAULT_SAMPLES,
  type VerifyOptions,
  validateVerifyOptions,
  verifyOptionsAfterCopy,
} from './verify-options.js';
