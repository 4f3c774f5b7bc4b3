import { type DdbCopyError, type ErrorReport, errorReport } from '../../errors.js';
import type { RetryCounts } from '../../runtime/stats.js';
import { type FollowSummary, followSummary } from '../follow/follow-changes.js';
import type { MaskingReport } from '../shared/item-changes.js';
import { sideSummary } from '../shared/side-summary.js';
import type { VerifySummary } from '../verify/summary.js';
import type { PruneSummary } from './prune-target.js';
import type { RunState } from './run-copy.js';

/** The `--json` document of a copy (README, "JSON summary"): a contract, so fields are only ever added. */
export interface CopySummary {
  command: 'copy';
  status: 'completed' | 'failed' | 'interrupted' | 'planned';
  /** `account`: the account the side's credentials belong to (STS), when known; absent on a local endpoint. */
  source: { table: string; region: string | null; endpoint: string | null; account?: string };
  target: { table: string; region: string | null; endpoint: string | null; account?: string };
  schema: {
    action: 'recreated' | 'created' | 'kept' | 'none';
    indexes: { global: number; local: number };
    settings: string[];
    unsupportedSettings: string[];
  };
  /** `written` counts this run; `writtenBefore` what earlier runs of a resumed copy wrote. */
  items: { scanned: number; written: number; writtenBefore: number };
  bytes: number;
  consumedCapacity: { read: number; write: number };
  retries: RetryCounts;
  segments: number;
  resumed: boolean;
  /** The run record: `--resume` continues from it after a failure or an interrupt. */
  checkpoint: string | null;
  durationMs: number;
  warnings: string[];
  /** With --verify: the item-by-item comparison of target and source after the copy. */
  verification?: {
    status: 'identical' | 'different';
    sourceItems: number;
    targetItems: number;
    missing: number;
    extra: number;
    different: number;
    samples: VerifySummary['samples'];
    schemaDifferences: string[];
  };
  /** With --filter-expression: the filter (items.scanned counts what the Scan read, items.written what matched). */
  filter?: { expression: string };
  /** With masks or a transform: values masked per rule, the secret's fingerprint, items dropped or rejected. */
  masking?: MaskingReport;
  /** With --follow: the stream's changes applied after the copy, and how far behind the source it ended. */
  follow?: FollowSummary;
  /**
   * With --prune: target items checked, those whose key the source lacks (`missing`), how many were
   * deleted (0 with --dry-run), and up to 10 of the missing keys.
   */
  prune?: PruneSummary;
  error?: ErrorReport;
}

export function summarize(run: RunState, status: CopySummary['status'], error?: DdbCopyError): CopySummary {
  const { stats, plan, options } = run;
  // A kept target (--data-only, a resume) has the indexes it had; a new one those it was created with.
  const indexed = plan?.createTable ?? (run.schemaAction === 'kept' ? run.targetTable : undefined);
  const summary: CopySummary = {
    command: 'copy',
    status: options.dryRun && status === 'completed' ? 'planned' : status,
    source: sideSummary(run.source, options.source, run.who?.source),
    target: sideSummary(run.target, options.target, run.who?.target),
    schema: {
      action: run.schemaAction,
      indexes: {
        global: indexed?.GlobalSecondaryIndexes?.length ?? 0,
        local: indexed?.LocalSecondaryIndexes?.length ?? 0,
      },
      settings: [...run.settingsApplied],
      unsupportedSettings: [...run.settingsUnsupported],
    },
    items: {
      scanned: stats.itemsScanned,
      written: stats.itemsWritten,
      writtenBefore: run.writtenBefore ?? 0,
    },
    bytes: stats.bytesWritten,
    consumedCapacity: { read: round(stats.consumedRead), write: round(stats.consumedWrite) },
    retries: { ...stats.retries },
    segments: plan?.segments ?? 0,
    resumed: run.resumed ?? false,
    checkpoint: run.checkpoint ? options.checkpoint : null,
    durationMs: Math.round(stats.elapsedMs),
    warnings: [...run.warnings],
    ...(run.verification ? { verification: run.verification } : {}),
    ...(options.filter ? { filter: { expression: options.filter.expression } } : {}),
  };
  const masking = run.changes?.report();
  if (masking) summary.masking = masking;
  if (run.followPart && run.followStats) {
    summary.follow = followSummary(
      run.followStatus ?? (status === 'failed' ? 'failed' : 'interrupted'),
      run.followPart,
      run.followStats,
    );
  }
  if (run.prune) summary.prune = { ...run.prune, samples: [...run.prune.samples] };
  if (error) summary.error = errorReport(error);
  return summary;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
