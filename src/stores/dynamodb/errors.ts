import {
  AccessDeniedError,
  AwsRequestError,
  CredentialsError,
  type DdbCopyError,
  EndpointUnreachableError,
  type Side,
  TableNotFoundError,
} from '../../errors.js';

/**
 * Every AWS or network error is classified here, once. The stores act on the class (retry, refresh
 * credentials, fail); everything above them only ever sees our typed errors.
 */
export type ErrorClass =
  | 'throttled'
  | 'transient'
  | 'expired-credentials'
  | 'too-large'
  | 'unreachable'
  | 'fatal';

const THROTTLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'Throttling',
]);

const TRANSIENT_CODES = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'TransactionInProgressException',
  // UpdateContinuousBackups right after CreateTable: 'Backups are being enabled for the table'.
  'ContinuousBackupsUnavailableException',
]);

const EXPIRED_CODES = new Set(['ExpiredTokenException', 'ExpiredToken', 'TokenRefreshRequired']);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  cause?: unknown;
}

function errorCode(error: AwsLikeError): string {
  // The SDK puts the AWS error code in `name`; Node puts errno codes in `code`.
  return error.code && NETWORK_OR_UNREACHABLE.has(error.code) ? error.code : (error.name ?? error.code ?? '');
}

const NETWORK_OR_UNREACHABLE = new Set([...NETWORK_CODES, ...UNREACHABLE_CODES]);

export function classifyError(raw: unknown): ErrorClass {
  const error = (raw ?? {}) as AwsLikeError;
  const code = errorCode(error);
  const status = error.$metadata?.httpStatusCode;
  if (THROTTLE_CODES.has(code)) return 'throttled';
  if (EXPIRED_CODES.has(code)) return 'expired-credentials';
  if (status === 413) return 'too-large';
  if (UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code)) return 'transient';
  if (status !== undefined && status >= 500) return 'transient';
  if (/socket hang up|ECONNRESET|timed? ?out|premature close/i.test(error.message ?? '')) return 'transient';
  return 'fatal';
}

/** The IAM action an operation needs, for AccessDenied messages. */
function iamAction(operation: string): string {
  return `dynamodb:${operation}`;
}

export interface ErrorContext {
  side: Side;
  table: string;
  operation: string;
  endpoint?: string;
}

/** Turns an error that will not be retried into our typed error, naming side, table and operation. */
export function toDdbCopyError(raw: unknown, context: ErrorContext): DdbCopyError {
  const error = (raw ?? {}) as AwsLikeError;
  const code = errorCode(error);
  const where = `${context.side} table '${context.table}'`;
  const detail = error.message ? `: ${error.message}` : '';
  const options = { side: context.side, cause: raw };
  switch (code) {
    case 'ResourceNotFoundException':
      return new TableNotFoundError(`The ${where} does not exist (${context.operation} said ${code}).`, {
        ...options,
        hint: `Check the table name and the ${context.side} side's region, account and endpoint (--${context.side}-region, --${context.side}-profile, --${context.side}-endpoint-url).`,
      });
    case 'AccessDeniedException':
    case 'AccessDenied':
      return new AccessDeniedError(
        `Access denied on the ${where}: ${context.operation} needs the IAM permission '${iamAction(context.operation)}'${detail}`,
        {
          ...options,
          hint: `Allow '${iamAction(context.operation)}' on the table (and its indexes) in the ${context.side} role's policy; the README lists every action each side needs.`,
        },
      );
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'MissingAuthenticationTokenException':
    case 'MissingAuthenticationToken':
    case 'CredentialsProviderError':
      return new CredentialsError(`The ${context.side} side's credentials were rejected (${code})${detail}`, {
        ...options,
        hint: `Check --${context.side}-profile / --${context.side}-role-arn, or the AWS_* environment; for SSO profiles run 'aws sso login'.`,
      });
  }
  const cls = classifyError(raw);
  if (cls === 'unreachable') {
    return new EndpointUnreachableError(
      `Cannot reach the ${context.side} endpoint${context.endpoint ? ` ${context.endpoint}` : ''} (${code}).`,
      {
        ...options,
        hint: `Check --${context.side}-endpoint-url and --${context.side}-region, and that the network allows the connection.`,
      },
    );
  }
  return new AwsRequestError(
    `${context.operation} on the ${where} failed with ${code || 'an unknown error'}${detail}`,
    {
      ...options,
      hint: 'This error is not retried because retrying cannot fix it; the message above says what AWS rejected.',
    },
  );
}
