/**
 * The library: the same runs the CLI makes, without the terminal. Each `run*` resolves with an outcome
 * (summary, typed error, exit code) and never throws for a failure it can explain; `copyTable` and
 * `verifyTables` resolve with the summary and throw the typed error instead.
 *
 * This file is the one door: the CLI (src/cli/) imports nothing of ours but what is exported here.
 */

// ── copy: a table into another table, schema, settings and every item ───────────────────────────────

export type { CopyPlan } from './plan/copy-plan.js';
/**
 * A copy's progress as typed events (`onEvent` in CopyHooks): numbered steps (`number` of `total`,
 * the total known before the first), warnings, the plan, and 'copy-started'/'copy-finished' around the
 * item copy, whose `stats` a renderer reads with `progressSnapshot` on its own schedule.
 */
export type { CopyEvent, StepEvent, StepName } from './runs/copy/events.js';
export {
  type BillingMode,
  type CopyMode,
  type CopyOptions,
  type RateSpec,
  type S3Location,
  validateCopyOptions,
} from './runs/copy/options.js';
export { type CopyHooks, type CopyOutcome, copyTable, runCopy } from './runs/copy/run-copy.js';
export type { CopySummary } from './runs/copy/summary.js';
export type { CheckpointRecord } from './runs/shared/checkpoint.js';

// ── follow: keep a target in step with the source's stream (copy --follow, ddbcopy follow) ─────────

export type { FollowSummary } from './runs/follow/follow-changes.js';
export { FOLLOW_DECLARATIONS } from './runs/follow/follow-flags.js';
export {
  FOLLOW_OPTION_DECLARATIONS,
  type FollowOptions,
  validateFollowOptions,
} from './runs/follow/options.js';
export {
  type FollowCommandSummary,
  type FollowHooks,
  followTable,
  runFollow,
} from './runs/follow/run-follow.js';

// ── verify: compare the target with the source, item by item and schema ─────────────────────────────

/**
 * A verify's progress as typed events (`onEvent` in VerifyHooks): steps, warnings, the plan, and
 * 'scan-started'/'scan-finished' around each scan phase, whose VerifyStats `verifyProgressSnapshot` reads.
 */
export { VERIFY_STEPS, type VerifyEvent, type VerifyStepName } from './runs/verify/events.js';
export {
  DEFAULT_SAMPLES,
  type VerifyOptions,
  validateVerifyOptions,
  verifyOptionsAfterCopy,
} from './runs/verify/options.js';
export { runVerify, type VerifyHooks, type VerifyOutcome, verifyTables } from './runs/verify/run-verify.js';
export type { DynamoDbJsonKey, VerifySummary } from './runs/verify/summary.js';

// ── export: a table into AWS's Export to S3 layout, in a directory or under s3:// ───────────────────

/** An export's progress as typed events (`onEvent` in ExportHooks): steps, warnings, copy-started/-finished. */
export type { ExportEvent, ExportStepName } from './runs/export/events.js';
export { EXPORT_OPTION_DECLARATIONS, validateExportOptions } from './runs/export/options.js';
export {
  type ExportHooks,
  type ExportOptions,
  type ExportOutcome,
  type ExportSummary,
  runExport,
} from './runs/export/run-export.js';
export type { S3Settings } from './stores/open.js';

// ── import: an export directory into a (re)created target table ─────────────────────────────────────

export { type KeyPart, type KeySpec, parseKeySpec } from './model/key-spec.js';
/** An import's progress as typed events (`onEvent` in ImportHooks): steps, warnings, copy-started/-finished. */
export type { ImportEvent, ImportStepName } from './runs/import/events.js';
export { IMPORT_OPTION_DECLARATIONS, validateImportOptions } from './runs/import/options.js';
export {
  type ImportHooks,
  type ImportOptions,
  type ImportOutcome,
  type ImportSummary,
  runImport,
} from './runs/import/run-import.js';

// ── via-export: copy --via-export, with AWS's own export and import jobs ────────────────────────────

export type { ViaExportPlan } from './plan/via-export-plan.js';
/** `runViaExport`'s progress as typed events (ViaExportEvent): numbered steps, warnings, the jobs' states. */
export {
  runViaExport,
  type ViaExportEvent,
  type ViaExportHooks,
  type ViaExportOutcome,
  type ViaExportStep,
} from './runs/via-export/run-via-export.js';
export type { ViaExportJobs, ViaExportSummary } from './runs/via-export/summary.js';

// ── many tables: copy, verify, export or import a set of tables (--tables, --rename) ────────────────

export type { PlanFile, PlanFileEntry } from './plan/plan-file.js';
export { type RenameRule, renamePattern, type TablePair } from './plan/table-selection.js';
export {
  type CopyTablesHooks,
  type CopyTablesOutcome,
  copyTables,
  runCopyTables,
} from './runs/tables/copy-tables.js';
/**
 * A set's progress as typed events (`onEvent` of every set run): the selection, each table's start,
 * its own run's events inside 'table-event' (CopyEvent, VerifyEvent, ExportEvent, ImportEvent), its end.
 */
export type { TablesEvent } from './runs/tables/events.js';
export {
  type ExportTablesHooks,
  exportTables,
  runExportTables,
} from './runs/tables/export-tables.js';
export {
  type ImportTablesHooks,
  type ImportTablesOutcome,
  importTables,
  runImportTables,
} from './runs/tables/import-tables.js';
export {
  isTableSet,
  refuseSetFlags,
  TABLE_SET_DECLARATIONS,
  type TableSetCommand,
  type TableSetOptions,
  validateTableSetOptions,
} from './runs/tables/options.js';
export { readPlanFile } from './runs/tables/read-plan-file.js';
export type { SetDeletionQuestion, TablePlanEntry } from './runs/tables/set-plan.js';
export type { NotRunTable, TablesSummary } from './runs/tables/summary.js';
export {
  runVerifyTables,
  type VerifyTablesHooks,
  verifyTableSet,
} from './runs/tables/verify-tables.js';

// ── iam-policy: the least-privilege policies for a copy ─────────────────────────────────────────────

export {
  type CopyPolicies,
  copyPolicies,
  type PolicyDocument,
  type PolicyOptions,
  type PolicySide,
  type PolicyStatement,
  policyOfSide,
  tableSetPolicies,
} from './plan/iam-policy.js';
export {
  IAM_POLICY_SIDE_DECLARATION,
  validatePolicySide,
  withProfileDefaults,
} from './runs/iam-policy/side-policy.js';

// ── demo: a sample table copied between two local "accounts" on DynamoDB Local ──────────────────────

export {
  type DemoAccount,
  type DemoEvent,
  type DemoHooks,
  type DemoOptions,
  type DemoOutcome,
  type DemoSummary,
  runDemo,
} from './runs/demo/run-demo.js';

// ── shared: errors and run outcomes ─────────────────────────────────────────────────────────────────

export * from './errors.js';
export type { ResumableRunReport, RunOutcome } from './runs/shared/run-outcome.js';

// ── shared: stats, which the events hand a renderer to read on its own schedule ────────────────────

export type { FollowStats } from './runtime/follow-stats.js';
export {
  type CopyStats,
  type ProgressSnapshot,
  progressSnapshot,
  type RateSample,
  type RecentRates,
  type RetryCounts,
  rateSample,
  ratesBetween,
} from './runtime/stats.js';
export {
  type VerifyPhase,
  type VerifyProgressSnapshot,
  type VerifyStats,
  verifyProgressSnapshot,
} from './runtime/verify-stats.js';

// ── shared: option declarations and flag parsing, a command line's building blocks ─────────────────

export {
  COPY_OPTION_DECLARATIONS,
  checkpointDeclarations,
  type OptionDeclaration,
  OUTPUT_DECLARATIONS,
  PROGRESS_MODES,
  parseRate,
  positiveInteger,
  type RawOptions,
  READ_RATE_DECLARATION,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
  WRITE_RATE_DECLARATION,
} from './runs/copy/options.js';
export { s3Declarations, s3Settings } from './runs/shared/s3-options.js';
export { VERIFY_OPTION_DECLARATIONS } from './runs/verify/options.js';

// ── shared: the stores' contract and a side's connection settings ───────────────────────────────────

export type { SideConfig, SideCredentials, SideCredentialsProvider } from './model/side-config.js';
export { describeCredentials, type SideIdentity } from './model/side-identity.js';
export type { DeletionQuestion } from './runs/shared/replace-target.js';
export type * from './stores/types.js';
