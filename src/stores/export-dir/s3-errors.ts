import {
  AccessDeniedError,
  AwsRequestError,
  CredentialsError,
  type DdbCopyError,
  EndpointUnreachableError,
  ExportFileError,
  InvalidOptionError,
  isDdbCopyError,
  type Side,
} from '../../errors.js';

/** What was being done to S3, so an error names the bucket, the key and the permission it needed. */
export interface S3Request {
  /** Whose credentials signed the request: the source side exports, the target side imports. */
  side: Side;
  bucket: string;
  /** The object's full key, or the prefix listed. */
  key: string;
  action: 'write' | 'read' | 'list' | 'delete';
  /** The custom endpoint (--s3-endpoint), when one is used. */
  endpoint: string | undefined;
}

const PERMISSION: Record<S3Request['action'], string> = {
  write: 's3:PutObject',
  read: 's3:GetObject',
  list: 's3:ListBucket',
  delete: 's3:DeleteObject',
};

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const BAD_CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** True for S3's "no such object" (GetObject says NoSuchKey, HeadObject only has a 404). */
export function isMissingObject(raw: unknown): boolean {
  const error = (raw ?? {}) as AwsLikeError;
  if (error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404;
}

/**
 * Classifies an S3 or network error, once, into our typed errors: a missing bucket or a wrong
 * region is bad input (2), a refused permission or credential is bad input naming the IAM action,
 * an unreachable endpoint says which, anything else (after the SDK's own retries) fails the run (1).
 */
export function s3Failure(raw: unknown, request: S3Request): DdbCopyError {
  if (isDdbCopyError(raw)) return raw;
  const error = (raw ?? {}) as AwsLikeError;
  const name = error.code && UNREACHABLE_CODES.has(error.code) ? error.code : (error.name ?? 'Error');
  const status = error.$metadata?.httpStatusCode;
  const where = `s3://${request.bucket}/${request.key}`;
  const options = { side: request.side, cause: raw };
  const endpointHint = request.endpoint ? ` (at ${request.endpoint})` : '';
  if (name === 'NoSuchBucket') {
    return new InvalidOptionError(`The S3 bucket '${request.bucket}' does not exist${endpointHint}.`, {
      ...options,
      hint: request.endpoint
        ? 'Create the bucket on that server first, or fix the bucket name in the s3:// location.'
        : `Create the bucket (in the ${request.side} side's account), or fix the bucket name in the s3:// location.`,
    });
  }
  if (name === 'NoSuchKey') {
    return new ExportFileError(`${where} does not exist.`, {
      ...options,
      hint: 'Every object the manifests list must be present; copy the whole export folder.',
    });
  }
  if (BAD_CREDENTIAL_CODES.has(name)) {
    return new CredentialsError(`S3 refused the ${request.side} side's credentials for ${where} (${name}).`, {
      ...options,
      hint: request.endpoint
        ? `The server at ${request.endpoint} must accept the ${request.side} side's access key; pass --${request.side}-profile with keys it knows.`
        : `S3 is reached with the ${request.side} side's credentials: check --${request.side}-profile / --${request.side}-role-arn, or run 'aws sso login' again.`,
    });
  }
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new AccessDeniedError(
      `The ${request.side} side may not ${request.action} ${where}: S3 said ${name} (it needs ${PERMISSION[request.action]}).`,
      {
        ...options,
        hint: `Allow ${PERMISSION[request.action]} on arn:aws:s3:::${request.bucket}${request.action === 'list' ? '' : '/*'} for the ${request.side} side's identity (README lists the S3 actions each side needs); a bucket in another account needs a bucket policy that allows it too. S3 reads with the ${request.side} side's credentials (--${request.side}-profile, --${request.side}-role-arn).`,
      },
    );
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
    return new InvalidOptionError(`The S3 bucket '${request.bucket}' is in another region (${name}).`, {
      ...options,
      hint: "Pass --s3-region with the bucket's region.",
    });
  }
  if (UNREACHABLE_CODES.has(name) || name === 'TimeoutError') {
    return new EndpointUnreachableError(`Cannot reach S3${endpointHint} for ${where} (${name}).`, {
      ...options,
      hint: request.endpoint
        ? 'Check --s3-endpoint and that the server is running.'
        : 'Check the network (proxy, VPC endpoint for S3) and --s3-region.',
    });
  }
  const detail = error.message ? `: ${error.message.split('\n')[0]}` : '';
  return new AwsRequestError(
    `S3 ${request.action} of ${where} failed with ${name}${status ? ` (HTTP ${status})` : ''}${detail}`,
    { ...options, hint: 'S3 retried already; run the command again, and check the bucket if it persists.' },
  );
}
