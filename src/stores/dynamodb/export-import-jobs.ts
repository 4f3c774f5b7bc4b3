/**
 * AWS's export and import jobs, started and watched: ExportTableToPointInTime then DescribeExport
 * until it ends, ImportTable then DescribeImport until it ends. Each poll is one control-plane request
 * with the usual retries; between polls the wait grows from `initialMs` to `maxMs`. A cancel stops
 * the watching, never the job: AWS has no call to cancel an export, and an import left running
 * still creates its table, so the error says where to follow it.
 */
import {
  DescribeExportCommand,
  type DescribeExportCommandOutput,
  DescribeImportCommand,
  type DescribeImportCommandOutput,
  type ExportDescription,
  ExportTableToPointInTimeCommand,
  type ExportTableToPointInTimeCommandInput,
  type ExportTableToPointInTimeCommandOutput,
  ImportTableCommand,
  type ImportTableCommandInput,
  type ImportTableCommandOutput,
  type ImportTableDescription,
} from '@aws-sdk/client-dynamodb';
import { AwsJobFailedError, InterruptedError } from '../../errors.js';
import { CONTROL_RETRY_POLICY, sleep } from '../../runtime/retry.js';
import type { SideConnection } from './client.js';
import { sendWithRetry } from './request.js';

/** How often a running job is described: AWS's jobs take minutes, so there is no hurry. */
export interface PollSchedule {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = Object.freeze({ initialMs: 5_000, maxMs: 30_000 });

/** One look at a running job, for progress output. */
export interface JobProgress {
  job: 'export' | 'import';
  status: string;
  elapsedMs: number;
  /** Import only: items processed so far (DescribeImport's ProcessedItemCount). */
  processedItems?: number;
}

export interface WatchOptions {
  schedule: PollSchedule;
  signal: AbortSignal | undefined;
  onProgress: (progress: JobProgress) => void;
}

/** Starts the export on the source side and returns its description (with the ARN). */
export async function startExport(
  conn: SideConnection,
  input: ExportTableToPointInTimeCommandInput,
  signal: AbortSignal | undefined,
): Promise<ExportDescription> {
  const out = await sendWithRetry<ExportTableToPointInTimeCommandOutput>(
    conn,
    new ExportTableToPointInTimeCommand(input),
    { operation: 'ExportTableToPointInTime', policy: CONTROL_RETRY_POLICY, signal },
  );
  if (!out.ExportDescription?.ExportArn) throw new Error('ExportTableToPointInTime returned no ExportArn');
  return out.ExportDescription;
}

/** Watches the export until it ends (COMPLETED or FAILED) and returns its last description. */
export async function watchExport(
  conn: SideConnection,
  exportArn: string,
  options: WatchOptions,
): Promise<ExportDescription> {
  return poll(options, 'export', async () => {
    const out = await sendWithRetry<DescribeExportCommandOutput>(
      conn,
      new DescribeExportCommand({ ExportArn: exportArn }),
      { operation: 'DescribeExport', policy: CONTROL_RETRY_POLICY, signal: options.signal },
    );
    const export_ = out.ExportDescription ?? {};
    const status = export_.ExportStatus ?? '?';
    return { done: status !== 'IN_PROGRESS', status, value: export_ };
  }).catch((error: unknown) => {
    throw interrupted(error, options.signal, {
      message:
        "Interrupted while waiting for the export; it continues on AWS's side. The target was not changed.",
      hint: `Follow it with: aws dynamodb describe-export --export-arn ${exportArn} (an export cannot be cancelled; its files stay in the bucket).`,
    });
  });
}

/** The typed error for an export that did not complete, with AWS's FailureCode and FailureMessage. */
export function exportFailure(
  description: ExportDescription,
  exportArn: string,
): AwsJobFailedError | undefined {
  if (description.ExportStatus === 'COMPLETED') return undefined;
  return new AwsJobFailedError(
    `The export of the source table ended ${description.ExportStatus ?? 'without a status'}: ${awsReason(description)}.`,
    {
      side: 'source',
      hint: `Nothing was changed on the target. Details: aws dynamodb describe-export --export-arn ${exportArn}. An S3 access error means the source account cannot write to the bucket (s3:PutObject, s3:AbortMultipartUpload, s3:PutObjectAcl; see ddbcopy iam-policy).`,
    },
  );
}

/** Starts ImportTable on the target side; it creates the table itself. */
export async function startImport(
  conn: SideConnection,
  input: ImportTableCommandInput,
  signal: AbortSignal | undefined,
): Promise<ImportTableDescription> {
  const out = await sendWithRetry<ImportTableCommandOutput>(conn, new ImportTableCommand(input), {
    operation: 'ImportTable',
    policy: CONTROL_RETRY_POLICY,
    signal,
  });
  if (!out.ImportTableDescription?.ImportArn) throw new Error('ImportTable returned no ImportArn');
  return out.ImportTableDescription;
}

/** Watches the import until it ends (COMPLETED, FAILED or CANCELLED) and returns its last description. */
export async function watchImport(
  conn: SideConnection,
  importArn: string,
  options: WatchOptions,
): Promise<ImportTableDescription> {
  return poll(options, 'import', async () => {
    const out = await sendWithRetry<DescribeImportCommandOutput>(
      conn,
      new DescribeImportCommand({ ImportArn: importArn }),
      { operation: 'DescribeImport', policy: CONTROL_RETRY_POLICY, signal: options.signal },
    );
    const import_ = out.ImportTableDescription ?? {};
    const status = import_.ImportStatus ?? '?';
    return {
      done: status !== 'IN_PROGRESS' && status !== 'CANCELLING',
      status,
      value: import_,
      ...(import_.ProcessedItemCount !== undefined ? { processedItems: import_.ProcessedItemCount } : {}),
    };
  }).catch((error: unknown) => {
    throw interrupted(error, options.signal, {
      message: `Interrupted while waiting for the import; it continues on AWS's side and will create the target table '${conn.tableName}' without its TTL, PITR, tags or streams.`,
      hint: `Follow it with: aws dynamodb describe-import --import-arn ${importArn}; then run the copy again (it replaces the table), or apply those settings yourself.`,
    });
  });
}

/**
 * The typed error for an import that did not complete, or completed without every exported item:
 * AWS skips items it cannot parse and still says COMPLETED, counting them in ErrorCount.
 */
export function importFailure(
  description: ImportTableDescription,
  importArn: string,
  exportedItems: number | undefined,
): AwsJobFailedError | undefined {
  const where = `Details: aws dynamodb describe-import --import-arn ${importArn}${description.CloudWatchLogGroupArn ? `; per-item errors are logged in ${description.CloudWatchLogGroupArn}` : ''}.`;
  if (description.ImportStatus !== 'COMPLETED') {
    return new AwsJobFailedError(
      `The import into the target ended ${description.ImportStatus ?? 'without a status'}: ${awsReason(description)} (${importCounts(description)}).`,
      { side: 'target', hint: `${where} The export's files stay in the bucket.` },
    );
  }
  const imported = description.ImportedItemCount ?? 0;
  const errors = description.ErrorCount ?? 0;
  if (errors > 0 || (exportedItems !== undefined && imported < exportedItems)) {
    return new AwsJobFailedError(
      `The import completed with ${imported} of ${exportedItems ?? '?'} exported items (${importCounts(description)}); the target is incomplete.`,
      { side: 'target', hint: where },
    );
  }
  return undefined;
}

/** `imported 10, processed 12, errors 2`: what DescribeImport counted. */
export function importCounts(description: ImportTableDescription): string {
  return `imported ${description.ImportedItemCount ?? 0}, processed ${description.ProcessedItemCount ?? 0}, errors ${description.ErrorCount ?? 0}`;
}

function awsReason(description: { FailureCode?: string; FailureMessage?: string }): string {
  const parts = [description.FailureCode, description.FailureMessage].filter(Boolean);
  return parts.length > 0 ? parts.join(': ') : 'AWS gave no reason';
}

interface PollResult<T> {
  done: boolean;
  status: string;
  value: T;
  processedItems?: number;
}

async function poll<T>(
  options: WatchOptions,
  job: JobProgress['job'],
  describe: () => Promise<PollResult<T>>,
): Promise<T> {
  const started = performance.now();
  let delay = options.schedule.initialMs;
  for (;;) {
    const result = await describe();
    options.onProgress({
      job,
      status: result.status,
      elapsedMs: performance.now() - started,
      ...(result.processedItems !== undefined ? { processedItems: result.processedItems } : {}),
    });
    if (result.done) return result.value;
    await sleep(delay, options.signal);
    delay = Math.min(options.schedule.maxMs, Math.round(delay * 1.5));
  }
}

function interrupted(
  error: unknown,
  signal: AbortSignal | undefined,
  explanation: { message: string; hint: string },
): unknown {
  if (!signal?.aborted) return error;
  return new InterruptedError(explanation.message, { hint: explanation.hint, cause: error });
}
