/**
 * Every failure a user can meet is one of these classes: a stable code, the side it happened on,
 * a message saying what is wrong, a hint saying what to do, and the exit code the CLI returns.
 */
export type Side = 'source' | 'target';

/** Exit codes of the command-line contract (README, "Exit codes"). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;
/** One of the exit codes in EXIT. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a typed error may carry besides its message: the side at fault, a hint, the cause. */
export interface DdbCopyErrorOptions {
  side?: Side;
  hint?: string;
  cause?: unknown;
}

/** The base of every typed error: a stable `code`, the `exitCode` it maps to, and an actionable `hint`. */
export abstract class DdbCopyError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  readonly side: Side | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: DdbCopyErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.side = options.side;
    this.hint = options.hint;
  }
}

/** Flags or values that cannot work together or cannot be parsed. Nothing was touched. */
export class InvalidOptionError extends DdbCopyError {
  readonly code = 'INVALID_OPTION';
  readonly exitCode = EXIT.badInput;
}

/** A table that must exist does not (or cannot be seen with these credentials and region). */
export class TableNotFoundError extends DdbCopyError {
  readonly code = 'TABLE_NOT_FOUND';
  readonly exitCode = EXIT.badInput;
}

/** Source and target resolve to the same table: copying would destroy the source. */
export class SameTableError extends DdbCopyError {
  readonly code = 'SAME_TABLE';
  readonly exitCode = EXIT.badInput;
}

/** The target has deletion protection; we never switch it off for the user. */
export class DeletionProtectedError extends DdbCopyError {
  readonly code = 'DELETION_PROTECTED';
  readonly exitCode = EXIT.badInput;
}

/** The target exists and the user did not confirm its deletion. */
export class DeletionNotConfirmedError extends DdbCopyError {
  readonly code = 'DELETION_NOT_CONFIRMED';
  readonly exitCode = EXIT.badInput;
}

/** The target's key schema does not match the source's (for --data-only). */
export class SchemaMismatchError extends DdbCopyError {
  readonly code = 'SCHEMA_MISMATCH';
  readonly exitCode = EXIT.badInput;
}

/**
 * A side's credentials belong to another account than --expect-source-account or
 * --expect-target-account says (the "staging" profile that points at production). Nothing was touched.
 */
export class AccountMismatchError extends DdbCopyError {
  readonly code = 'ACCOUNT_MISMATCH';
  readonly exitCode = EXIT.badInput;
}

/** Credentials are missing, invalid or cannot be assumed. */
export class CredentialsError extends DdbCopyError {
  readonly code = 'CREDENTIALS';
  readonly exitCode = EXIT.badInput;
}

/** The credentials work but lack an IAM permission. */
export class AccessDeniedError extends DdbCopyError {
  readonly code = 'ACCESS_DENIED';
  readonly exitCode = EXIT.badInput;
}

/** The endpoint cannot be reached (DNS, refused connection, timeout). */
export class EndpointUnreachableError extends DdbCopyError {
  readonly code = 'ENDPOINT_UNREACHABLE';
  readonly exitCode = EXIT.badInput;
}

/** A request kept failing until its retry budget ran out. The copy is incomplete. */
export class RetryBudgetExhaustedError extends DdbCopyError {
  readonly code = 'RETRY_BUDGET_EXHAUSTED';
  readonly exitCode = EXIT.failed;
}

/** AWS rejected a request for a reason retrying cannot fix (validation, limits, unknown errors). */
export class AwsRequestError extends DdbCopyError {
  readonly code = 'AWS_REQUEST_FAILED';
  readonly exitCode = EXIT.failed;
}

/** A table did not reach the expected state in time (ACTIVE after create, gone after delete). */
export class TableStateTimeoutError extends DdbCopyError {
  readonly code = 'TABLE_STATE_TIMEOUT';
  readonly exitCode = EXIT.failed;
}

/** A store was asked for an operation its side must never perform (a write to the source). */
export class ForbiddenOperationError extends DdbCopyError {
  readonly code = 'FORBIDDEN_OPERATION';
  readonly exitCode = EXIT.failed;
}

/** A checkpoint is missing, corrupt, in use, or was made for another copy. Nothing was changed. */
export class CheckpointError extends DdbCopyError {
  readonly code = 'CHECKPOINT';
  readonly exitCode = EXIT.badInput;
}

/** An item the target cannot take (too large, a key attribute missing or of the wrong type). */
export class ItemRejectedError extends DdbCopyError {
  readonly code = 'ITEM_REJECTED';
  readonly exitCode = EXIT.badInput;
}

/** The run was cancelled (Ctrl-C, SIGTERM). */
export class InterruptedError extends DdbCopyError {
  readonly code = 'INTERRUPTED';
  readonly exitCode = EXIT.interrupted;
}

/** The user answered a prompt with Ctrl-C or Ctrl-D: nothing was changed, nothing to resume. */
export class AbortedByUserError extends DdbCopyError {
  readonly code = 'ABORTED';
  readonly exitCode = EXIT.interrupted;
}

/** The local demo or test server cannot run (no Java, download failed). */
export class LocalServerError extends DdbCopyError {
  readonly code = 'LOCAL_SERVER';
  readonly exitCode = EXIT.badInput;
}

/** Copy finished but a check of the target found it different from the source. */
export class VerificationFailedError extends DdbCopyError {
  readonly code = 'VERIFICATION_FAILED';
  readonly exitCode = EXIT.failed;
}

/**
 * An export directory that cannot be read as a whole: a data file missing, corrupted, truncated, of
 * another checksum or item count than its manifest says, or a manifest that does not parse. The
 * message names the file; nothing is reported as imported.
 */
export class ExportFileError extends DdbCopyError {
  readonly code = 'EXPORT_FILE_INVALID';
  readonly exitCode = EXIT.badInput;
}

/** The export directory holds items but no table definition (AWS's own exports have none). */
export class ExportDefinitionMissingError extends DdbCopyError {
  readonly code = 'EXPORT_DEFINITION_MISSING';
  readonly exitCode = EXIT.badInput;
}

/**
 * `copy --via-export` needs point-in-time recovery on the source: ExportTableToPointInTime exports
 * from its backups. Nothing was changed.
 */
export class PointInTimeRecoveryRequiredError extends DdbCopyError {
  readonly code = 'PITR_REQUIRED';
  readonly exitCode = EXIT.badInput;
}

/** The source has a feature AWS's export/import path cannot recreate (local secondary indexes). */
export class ViaExportUnsupportedError extends DdbCopyError {
  readonly code = 'VIA_EXPORT_UNSUPPORTED';
  readonly exitCode = EXIT.badInput;
}

/** An AWS export or import job ended FAILED or CANCELLED, or imported fewer items than exported. */
export class AwsJobFailedError extends DdbCopyError {
  readonly code = 'AWS_JOB_FAILED';
  readonly exitCode = EXIT.failed;
}

/** A user's `--transform` threw on an item (the message names the item's key). */
export class TransformFailedError extends DdbCopyError {
  readonly code = 'TRANSFORM_FAILED';
  readonly exitCode = EXIT.failed;
}

/** A run over a set of tables finished, but some of its tables failed (each table's summary says why). */
export class TablesFailedError extends DdbCopyError {
  readonly code = 'TABLES_FAILED';
  readonly exitCode = EXIT.failed;
}

/**
 * `--follow` needs a stream on the source with the items' new images (or at least their keys), and
 * the stream the run record names. Nothing was changed.
 */
export class StreamRequiredError extends DdbCopyError {
  readonly code = 'STREAM_REQUIRED';
  readonly exitCode = EXIT.badInput;
}

/**
 * Records the follow still needed have aged out of the stream (24-hour retention), or the stream
 * was replaced: changes were lost to the copy, which must be done again.
 */
export class StreamGapError extends DdbCopyError {
  readonly code = 'STREAM_GAP';
  readonly exitCode = EXIT.failed;
}

/** A shard iterator expired (15 minutes): the reader opens a new one after its last applied record. */
export class StreamIteratorExpiredError extends DdbCopyError {
  readonly code = 'STREAM_ITERATOR_EXPIRED';
  readonly exitCode = EXIT.failed;
}

/** The error as the `--json` documents report it. */
export interface ErrorReport {
  code: string;
  message: string;
  hint: string | null;
  side: string | null;
}

/** The error as a `--json` document or a summary carries it: plain data, no stack, no cause. */
export function errorReport(error: DdbCopyError): ErrorReport {
  return { code: error.code, message: error.message, hint: error.hint ?? null, side: error.side ?? null };
}

/**
 * The typed error a run ends with: ours as it is, anything thrown after a cancel as an interrupt;
 * undefined for anything else, which is a bug the caller rethrows.
 */
export function runFailure(error: unknown, signal: AbortSignal | undefined): DdbCopyError | undefined {
  if (isDdbCopyError(error)) return error;
  if (signal?.aborted) return new InterruptedError('Interrupted.', { cause: error });
  return undefined;
}

/** Bad input noticed once the target was changed leaves it half-done: that is a failed run (1). */
export function failureExitCode(error: DdbCopyError, targetChanged: boolean): ExitCode {
  return error.exitCode === EXIT.badInput && targetChanged ? EXIT.failed : error.exitCode;
}

/**
 * Whether `error` is one of ours (it has a code, a side, a hint and an exit code) rather than a bug or
 * a foreign error: what a catch tests before it reports or rethrows.
 */
export function isDdbCopyError(error: unknown): error is DdbCopyError {
  return error instanceof DdbCopyError;
}
