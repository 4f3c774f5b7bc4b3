import {
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  AwsRequestError,
  CredentialsError,
  EndpointUnreachableError,
  TableNotFoundError,
} from '../../src/errors.js';
import { classifyError, toDdbCopyError } from '../../src/stores/dynamodb/errors.js';

/** An error shaped as the SDK throws it for a code DynamoDB has no modelled class for. */
function serviceError(name: string, status: number, message = `${name} happened`): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'r-1', attempts: 1, totalRetryDelay: 0 },
  });
}

/** A Node network error: `code` is the errno name, `name` is just 'Error'. */
function networkError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code, syscall: 'connect' });
}

const metadata = { httpStatusCode: 400, requestId: 'r-1', attempts: 1, totalRetryDelay: 0 };

describe('classifyError', () => {
  it.each<[string, unknown, ReturnType<typeof classifyError>]>([
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: metadata }),
      'throttled',
    ],
    [
      'RequestLimitExceeded',
      new RequestLimitExceeded({ message: 'account limit', $metadata: metadata }),
      'throttled',
    ],
    ['ThrottlingException', serviceError('ThrottlingException', 400), 'throttled'],
    ['HTTP 503', serviceError('ServiceUnavailable', 503), 'transient'],
    ['HTTP 500 of an unknown name', serviceError('SomethingNew', 500), 'transient'],
    ['InternalServerError', serviceError('InternalServerError', 500), 'transient'],
    ['ECONNRESET', networkError('ECONNRESET'), 'transient'],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'transient'],
    ['socket hang up', new Error('socket hang up'), 'transient'],
    ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'unreachable'],
    ['ENOTFOUND', networkError('ENOTFOUND'), 'unreachable'],
    ['ExpiredTokenException', serviceError('ExpiredTokenException', 400), 'expired-credentials'],
    ['HTTP 413', serviceError('RequestEntityTooLarge', 413), 'too-large'],
    ['ValidationException', serviceError('ValidationException', 400), 'fatal'],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'gone', $metadata: metadata }),
      'fatal',
    ],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400), 'fatal'],
    // Transient by name alone (a 4xx status, no telling message): each name of the list counts.
    ['InternalFailure', serviceError('InternalFailure', 400, 'x'), 'transient'],
    ['ServiceUnavailableException', serviceError('ServiceUnavailableException', 400, 'x'), 'transient'],
    ['RequestTimeoutException', serviceError('RequestTimeoutException', 400, 'x'), 'transient'],
    ['TransactionInProgressException', serviceError('TransactionInProgressException', 400, 'x'), 'transient'],
    [
      'ContinuousBackupsUnavailableException',
      serviceError('ContinuousBackupsUnavailableException', 400, 'Backups are being enabled for the table'),
      'transient',
    ],
    // Network errors by errno code, whatever the message says.
    ['EPIPE', networkError('EPIPE'), 'transient'],
    ['EAI_AGAIN', networkError('EAI_AGAIN'), 'transient'],
    ['ECONNABORTED', networkError('ECONNABORTED'), 'transient'],
    ['ESOCKETTIMEDOUT', networkError('ESOCKETTIMEDOUT'), 'transient'],
    ['EHOSTUNREACH', networkError('EHOSTUNREACH'), 'unreachable'],
    // Another code beside an AWS name: the name decides.
    [
      'a code that is not an errno',
      Object.assign(serviceError('ThrottlingException', 400), { code: 'Other' }),
      'throttled',
    ],
    // Messages of a connection that broke, without a code.
    ['"time out"', new Error('socket time out'), 'transient'],
    ['"timeout"', new Error('Connection timeout'), 'transient'],
    ['"premature close"', new Error('Premature close'), 'transient'],
    ['a 4xx without a telling name', serviceError('SomethingNew', 499, 'x'), 'fatal'],
    ['undefined', undefined, 'fatal'],
    ['a string', 'boom', 'fatal'],
  ])('%s → %s', (_name, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });
});

describe('toDdbCopyError', () => {
  it('names the IAM action an AccessDeniedException needs', () => {
    const raw = serviceError(
      'AccessDeniedException',
      400,
      'User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: dynamodb:BatchWriteItem',
    );
    const error = toDdbCopyError(raw, { side: 'target', table: 'orders', operation: 'BatchWriteItem' });
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(error.message).toContain("'dynamodb:BatchWriteItem'");
    expect(error.message).toContain("target table 'orders'");
    expect(error.hint).toContain('dynamodb:BatchWriteItem');
    expect(error.side).toBe('target');
    expect(error.cause).toBe(raw);
    expect(error.exitCode).toBe(2);
  });

  it('maps ResourceNotFoundException to TableNotFoundError on its side', () => {
    const raw = new ResourceNotFoundException({
      message: 'Requested resource not found',
      $metadata: metadata,
    });
    const error = toDdbCopyError(raw, { side: 'source', table: 'orders', operation: 'DescribeTable' });
    expect(error).toBeInstanceOf(TableNotFoundError);
    expect(error.side).toBe('source');
    expect(error.message).toContain("source table 'orders'");
    expect(error.hint).toContain('--source-region');
    expect(error.code).toBe('TABLE_NOT_FOUND');
  });

  it('maps rejected credentials to CredentialsError', () => {
    const error = toDdbCopyError(serviceError('UnrecognizedClientException', 400), {
      side: 'source',
      table: 't',
      operation: 'Scan',
    });
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.hint).toContain('--source-profile');
  });

  it('maps a refused connection to EndpointUnreachableError naming the endpoint', () => {
    const error = toDdbCopyError(networkError('ECONNREFUSED'), {
      side: 'target',
      table: 't',
      operation: 'DescribeTable',
      endpoint: 'http://localhost:8000',
    });
    expect(error).toBeInstanceOf(EndpointUnreachableError);
    expect(error.message).toContain('http://localhost:8000');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.side).toBe('target');
  });

  it('maps anything else to AwsRequestError with the code and message', () => {
    const error = toDdbCopyError(
      serviceError('ValidationException', 400, 'One or more parameter values were invalid'),
      {
        side: 'target',
        table: 't',
        operation: 'CreateTable',
      },
    );
    expect(error).toBeInstanceOf(AwsRequestError);
    expect(error.message).toContain('CreateTable');
    expect(error.message).toContain('ValidationException');
    expect(error.message).toContain('One or more parameter values were invalid');
    expect(error.exitCode).toBe(1);
  });

  it('copes with an error that has no name or message', () => {
    const error = toDdbCopyError(undefined, { side: 'source', table: 't', operation: 'Scan' });
    expect(error).toBeInstanceOf(AwsRequestError);
    expect(error.message).toBe("Scan on the source table 't' failed with an unknown error");
    expect(error.hint).toBe(
      'This error is not retried because retrying cannot fix it; the message above says what AWS rejected.',
    );
  });

  it('words rejected credentials and an unreachable endpoint exactly', () => {
    const rejected = toDdbCopyError(serviceError('InvalidSignatureException', 400, 'does not match'), {
      side: 'target',
      table: 't',
      operation: 'Scan',
    });
    expect(rejected.message).toBe(
      "The target side's credentials were rejected (InvalidSignatureException): does not match",
    );
    const unreachable = toDdbCopyError(networkError('ECONNREFUSED'), {
      side: 'source',
      table: 't',
      operation: 'Scan',
    });
    expect(unreachable.message).toBe('Cannot reach the source endpoint (ECONNREFUSED).');
    expect(unreachable.hint).toBe(
      'Check --source-endpoint-url and --source-region, and that the network allows the connection.',
    );
  });
});
