/**
 * The library: the same runs the CLI makes, without the terminal. Each `run*` resolves with an outcome
 * (summary, typed error, exit code) and never throws for a failure it can explain; `copyTable` and
 * `verifyTables` resolve with the summary and throw the typed error instead.
 *
 * This file is the one door: the CLI (src/cli/) imports nothing of ours but what is exported here.
 * The validators are exported wrapped (speakingToCaller): their errors name the options a caller in
 * code passes (`writeRate`), and the flags (`--write-rate`) only under the CLI's withFlagWording.
 */

import { parseKeySpec as parseKeyFlag } from './model/key-spec.js';
import { policyOfSide as policyDocumentOfSide } from './plan/iam-policy.js';
import { validateCopyOptions as validateCopyFlags } from './runs/copy/options.js';
import { validateExportOptions as validateExportFlags } from './runs/export/options.js';
import { validateFollowOptions as validateFollowFlags } from './runs/follow/options.js';
import { validatePolicySide as validatePolicySideFlag } from './runs/iam-policy/side-policy.js';
import { validateImportOptions as validateImportFlags } from './runs/import/options.js';
import { speakingToCaller } from './runs/shared/option-wording.js';
import {
  refuseSetFlags as refuseSetFlagsOf,
  validateTableSetOptions as validateTableSetFlags,
} from './runs/tables/options.js';
import { readPlanFile as readPlanFileAt } from './runs/tables/read-plan-file.js';
import { validateVerifyOptions as validateVerifyFlags } from './runs/verify/options.js';

// ── copy: a table into another table, schema, settings and every item ───────────────────────────────

export {
  FAKE_KINDS,
  type FakeKind,
  type MaskAction,
  type MaskRule,
  type PathStep,
} from './model/mask-rule.js';
export type { CopyPlan } from './plan/copy-plan.js';
export {
  type CopyEstimate,
  type CopyEstimateInput,
  type DurationBound,
  estimateCopy,
  PRICE_LIST,
  type PriceList,
  type SetPace,
  type SideBilling,
  type SizeEstimate,
  sumEstimates,
  type UnitCost,
} from './plan/cost-estimate.js';
export type { SkippableSetting } from './plan/translate-schema.js';
/**
 * A copy's progress as typed events (`onEvent` in CopyHooks): numbered steps (`number` of `total`,
 * the total known before the first), warnings, the plan, and 'copy-started'/'copy-finished' around the
 * item copy, whose `stats` a renderer reads with `progressSnapshot` on its own schedule.
 */
export type { CopyEvent, StepEvent, StepName } from './runs/copy/events.js';
export type {
  BillingMode,
  CopyMode,
  CopyOptions,
  RateSpec,
  S3Location,
} from './runs/copy/options.js';
export type { PruneSummary } from './runs/copy/prune-target.js';
export { type CopyHooks, type CopyOutcome, copyTable, runCopy } from './runs/copy/run-copy.js';
export type { CopySummary } from './runs/copy/summary.js';
export type { FollowSettings } from './runs/follow/follow-flags.js';
export type { FollowRecordPart, StoredShard } from './runs/follow/follow-record.js';
export type {
  CheckpointRecord,
  ExportRecordPart,
  StoredSegment,
  StoredValue,
} from './runs/shared/checkpoint.js';
export type { MaskingReport } from './runs/shared/item-changes.js';

/**
 * Checks a copy's options and freezes them, before anything is sent. Takes the CLI's flags in
 * camelCase (`{ source: 'orders', target: 'orders', writeRate: '500', yes: true }`); a side may also
 * carry `credentials` (an object or a provider function). Throws InvalidOptionError naming the option
 * at fault (`writeRate`) and the fix.
 * @function
 */
export const validateCopyOptions = speakingToCaller(validateCopyFlags);

// ── follow: keep a target in step with the source's stream (copy --follow, ddbcopy follow) ─────────

export type { FollowSummary } from './runs/follow/follow-changes.js';
export { FOLLOW_DECLARATIONS } from './runs/follow/follow-flags.js';
export { FOLLOW_OPTION_DECLARATIONS, type FollowOptions } from './runs/follow/options.js';

/**
 * Checks the options of a follow on its own (`ddbcopy follow`: from a time or a run record) and
 * freezes them; throws InvalidOptionError naming the option at fault.
 * @function
 */
export const validateFollowOptions = speakingToCaller(validateFollowFlags);
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
  verifyOptionsAfterCopy,
} from './runs/verify/options.js';
/**
 * Checks a verify's options (both sides, sampling, the copy's filter and masks to compare through)
 * and freezes them; throws InvalidOptionError naming the option at fault.
 * @function
 */
export const validateVerifyOptions = speakingToCaller(validateVerifyFlags);
export type { SideScanPlan, VerifyPlan } from './plan/verify-plan.js';
export { runVerify, type VerifyHooks, type VerifyOutcome, verifyTables } from './runs/verify/run-verify.js';
export type { DynamoDbJsonKey, VerifySummary } from './runs/verify/summary.js';

// ── export: a table into AWS's Export to S3 layout, in a directory or under s3:// ───────────────────

export { EXPORT_OPTION_DECLARATIONS } from './runs/export/options.js';

/**
 * Checks an export's options (the source side, `out`: a directory or `s3://` location) and freezes
 * them; throws InvalidOptionError naming the option at fault.
 * @function
 */
export const validateExportOptions = speakingToCaller(validateExportFlags);
/** An export's progress as typed events (`onEvent` in ExportHooks): steps, warnings, copy-started/-finished. */
export type { ExportEvent, ExportStepName } from './runs/export/events.js';
export {
  type ExportHooks,
  type ExportOptions,
  type ExportOutcome,
  type ExportSummary,
  runExport,
} from './runs/export/run-export.js';
export type { JobProgress, ManifestFileEntry, S3Settings } from './stores/open.js';

// ── import: an export directory into a (re)created target table ─────────────────────────────────────

export type { KeyPart, KeySpec } from './model/key-spec.js';

/**
 * An import's `key` (`pk:S` or `pk:S,sk:N`) as key parts, or undefined without one; throws
 * InvalidOptionError naming the option and what is wrong.
 * @function
 */
export const parseKeySpec = speakingToCaller(parseKeyFlag);
export { IMPORT_OPTION_DECLARATIONS } from './runs/import/options.js';

/**
 * Checks an import's options (`from`: an export's folder or `s3://` location, the target side) and
 * freezes them; throws InvalidOptionError naming the option at fault.
 * @function
 */
export const validateImportOptions = speakingToCaller(validateImportFlags);
/** An import's progress as typed events (`onEvent` in ImportHooks): steps, warnings, copy-started/-finished. */
export type { ImportEvent, ImportStepName } from './runs/import/events.js';
export {
  type ImportHooks,
  type ImportOptions,
  type ImportOutcome,
  type ImportSummary,
  runImport,
} from './runs/import/run-import.js';

// ── via-export: copy --via-export, with AWS's own export and import jobs ────────────────────────────

export type { TableUpdate } from './model/table-update.js';
export type { PlannedImport, ViaExportPlan } from './plan/via-export-plan.js';
export type { MaskProgress } from './runs/via-export/mask-export.js';
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
  TABLE_SET_DECLARATIONS,
  type TableSetCommand,
  type TableSetOptions,
} from './runs/tables/options.js';

/**
 * Checks the options of a run over a set of tables (`tables` globs or `plan`, `rename`, the sides and
 * every flag a set cannot take) before any request; throws InvalidOptionError naming the option.
 * `planFile` is a plan file already read with readPlanFile.
 * @function
 */
export const validateTableSetOptions = speakingToCaller(validateTableSetFlags);
/**
 * Refuses a set's options (`rename`, `parallelTables`, ...) on a one-table run, naming the option.
 * @function
 */
export const refuseSetFlags = speakingToCaller(refuseSetFlagsOf);
/**
 * Reads a plan file (`plan`): JSON when the name ends in .json, YAML otherwise, checked entry by
 * entry; rejects with InvalidOptionError naming what is wrong.
 * @function
 */
export const readPlanFile = speakingToCaller(readPlanFileAt);
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
  type PolicySideConfig,
  type PolicyStatement,
  tableSetPolicies,
} from './plan/iam-policy.js';

/**
 * The one document of an iam-policy `side`: the source role's or the target role's policy, or the
 * trust policy of the roles named; two roles needing different trust policies are refused, naming the
 * options to ask for each.
 * @function
 */
export const policyOfSide = speakingToCaller(policyDocumentOfSide);
export { IAM_POLICY_SIDE_DECLARATION, withProfileDefaults } from './runs/iam-policy/side-policy.js';

/**
 * The `side` of an iam-policy request (source, target or trust), or undefined for all three; options
 * that change no policy are refused with the side, naming the option.
 * @function
 */
export const validatePolicySide = speakingToCaller(validatePolicySideFlag);

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
  type RawValue,
  READ_RATE_DECLARATION,
  resumeFlags,
  sideConfig,
  sideDeclarations,
  stringValue,
  WRITE_RATE_DECLARATION,
} from './runs/copy/options.js';
export { inOptionWords, optionNameOf, withFlagWording } from './runs/shared/option-wording.js';
export { s3Declarations, s3Settings } from './runs/shared/s3-options.js';
export { VERIFY_OPTION_DECLARATIONS } from './runs/verify/options.js';

// ── shared: the stores' contract and a side's connection settings ───────────────────────────────────

export type { SideConfig, SideCredentials, SideCredentialsProvider } from './model/side-config.js';
export { describeCredentials, type SideIdentity } from './model/side-identity.js';
export type { DeletionQuestion } from './runs/shared/replace-target.js';
export type * from './stores/types.js';
