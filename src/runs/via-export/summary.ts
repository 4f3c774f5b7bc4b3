/**
 * The `--json` document of `copy --via-export`: the copy summary's fields (so scripts read both the
 * same way) plus what AWS's two jobs reported. A contract: fields are only ever added.
 */
import { type DdbCopyError, errorReport } from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { ExportDescription, ImportTableDescription } from '../../model/table.js';
import type { ViaExportPlan } from '../../plan/via-export-plan.js';
import type { DynamoDbSink, DynamoDbSource } from '../../stores/open.js';
import type { CopyOptions } from '../copy/options.js';
import type { CopySummary } from '../copy/summary.js';
import type { PreparedChanges } from '../shared/item-changes.js';
import { sideSummary } from '../shared/side-summary.js';
import type { MaskedExport } from './mask-export.js';

/** What AWS's export and import jobs reported, and the S3 location their files are under. */
export interface ViaExportJobs {
  s3: { bucket: string; prefix: string; bucketOwner: string | null; importKeyPrefix: string | null };
  export: {
    arn: string;
    id: string | null;
    status: string;
    itemCount: number | null;
    billedSizeBytes: number | null;
    durationMs: number;
  } | null;
  import: {
    arn: string;
    status: string;
    importedItemCount: number;
    processedItemCount: number;
    errorCount: number;
    processedSizeBytes: number;
    cloudWatchLogGroupArn: string | null;
    durationMs: number;
  } | null;
  droppedLocalIndexes: string[];
  /**
   * With masks or a transform: the masked copy of the export that ImportTable read instead
   * (`importKeyPrefix` is its data folder). Items read are the export's, items written the copy's;
   * what a transform left out is in the summary's `masking.transform`.
   */
  masked: {
    /** The copy's export folder: `s3://bucket/<prefix>/masked/AWSDynamoDB/<exportId>`. */
    location: string;
    filesRead: number;
    filesWritten: number;
    itemsRead: number;
    itemsWritten: number;
    bytes: number;
    durationMs: number;
  } | null;
}

/** The `--json` document of `copy --via-export`: the copy summary plus `viaExport`, the jobs. */
export type ViaExportSummary = CopySummary & { viaExport: ViaExportJobs };

/** What the runner knows at the end, however far it got. */
export interface ViaExportRunState {
  options: CopyOptions;
  startedAt: number;
  source?: DynamoDbSource;
  target?: DynamoDbSink;
  plan?: ViaExportPlan;
  schemaAction: CopySummary['schema']['action'];
  settingsApplied: string[];
  settingsUnsupported: string[];
  warnings: string[];
  exportArn?: string;
  exportId?: string;
  exportDescription?: ExportDescription;
  exportMs: number;
  importKeyPrefix?: string;
  importArn?: string;
  importDescription?: ImportTableDescription;
  importMs: number;
  /** Masks and a transform, prepared at the describe step. */
  changes?: PreparedChanges | undefined;
  /** The masked copy of the export, once written. */
  masked?: MaskedExport;
  maskMs?: number;
  /** The old target was (being) deleted: from here on a failure has changed something. */
  targetDeleted?: boolean;
  /** Who each side acts as (account, profile or role, region), once connected. */
  who?: { source: SideIdentity; target: SideIdentity };
}

export function summarizeViaExport(
  run: ViaExportRunState,
  status: CopySummary['status'],
  error?: DdbCopyError,
): ViaExportSummary {
  const { options, plan } = run;
  const exported = run.exportDescription;
  const imported = run.importDescription;
  const creation = plan?.import.TableCreationParameters;
  const summary: ViaExportSummary = {
    command: 'copy',
    status: options.dryRun && status === 'completed' ? 'planned' : status,
    source: sideSummary(run.source, options.source, run.who?.source),
    target: sideSummary(run.target, options.target, run.who?.target),
    schema: {
      action: run.schemaAction,
      indexes: { global: creation?.GlobalSecondaryIndexes?.length ?? 0, local: 0 },
      settings: [...run.settingsApplied],
      unsupportedSettings: [...run.settingsUnsupported],
    },
    // The export "scans" (AWS reads its backups), the import "writes".
    items: {
      scanned: exported?.ItemCount ?? 0,
      written: imported?.ImportedItemCount ?? 0,
      writtenBefore: 0,
    },
    bytes: imported?.ProcessedSizeBytes ?? 0,
    // The point of --via-export: AWS's jobs consume no table capacity.
    consumedCapacity: { read: 0, write: 0 },
    retries: { unprocessedItems: 0, throttled: 0, errors: 0, expiredCredentials: 0 },
    segments: 0,
    resumed: false,
    checkpoint: null,
    durationMs: Math.round(performance.now() - run.startedAt),
    warnings: [...run.warnings],
    viaExport: {
      s3: {
        bucket: options.viaExport?.bucket ?? '',
        prefix: options.viaExport?.prefix ?? '',
        bucketOwner: options.s3BucketOwner ?? null,
        importKeyPrefix: run.importKeyPrefix ?? null,
      },
      export: run.exportArn
        ? {
            arn: run.exportArn,
            id: run.exportId ?? null,
            status: exported?.ExportStatus ?? 'IN_PROGRESS',
            itemCount: exported?.ItemCount ?? null,
            billedSizeBytes: exported?.BilledSizeBytes ?? null,
            durationMs: Math.round(run.exportMs),
          }
        : null,
      import: run.importArn
        ? {
            arn: run.importArn,
            status: imported?.ImportStatus ?? 'IN_PROGRESS',
            importedItemCount: imported?.ImportedItemCount ?? 0,
            processedItemCount: imported?.ProcessedItemCount ?? 0,
            errorCount: imported?.ErrorCount ?? 0,
            processedSizeBytes: imported?.ProcessedSizeBytes ?? 0,
            cloudWatchLogGroupArn: imported?.CloudWatchLogGroupArn ?? null,
            durationMs: Math.round(run.importMs),
          }
        : null,
      droppedLocalIndexes: [...(plan?.droppedLocalIndexes ?? [])],
      masked: run.masked
        ? {
            location: run.masked.exportDir,
            filesRead: run.masked.filesRead,
            filesWritten: run.masked.filesWritten,
            itemsRead: run.masked.itemsRead,
            itemsWritten: run.masked.itemsWritten,
            bytes: run.masked.bytes,
            durationMs: Math.round(run.maskMs ?? 0),
          }
        : null,
    },
  };
  const masking = run.changes?.report();
  if (masking) summary.masking = masking;
  if (error) summary.error = errorReport(error);
  return summary;
}
