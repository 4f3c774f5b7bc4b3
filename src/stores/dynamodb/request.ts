import { isDdbCopyError, RetryBudgetExhaustedError } from '../../errors.js';
import { RetryBudget, type RetryPolicy, sleep } from '../../runtime/retry.js';
import type { RetryListener } from '../types.js';
import { type SideConnection, wireClient } from './client.js';
import { classifyError, toDdbCopyError } from './errors.js';

export interface RequestOptions {
  operation: string;
  policy: RetryPolicy;
  onRetry?: RetryListener | undefined;
  signal?: AbortSignal | undefined;
  /** Control-plane calls fail at once on a dead endpoint; data-plane calls ride out a blip. */
  retryUnreachable?: boolean;
  /** The endpoint messages name when it cannot be reached; default: the side's `--endpoint-url`. */
  endpoint?: string | undefined;
}

/** Any command of the DynamoDB client; callers name the output type they expect. */
export type DynamoDbCommand = { readonly input: object };

/** Sends one SDK command with `withRetry`. */
export function sendWithRetry<Output>(
  conn: SideConnection,
  command: DynamoDbCommand,
  options: RequestOptions,
): Promise<Output> {
  return withRetry(
    conn,
    async () => (await conn.client.send(command as never, { abortSignal: options.signal })) as Output,
    options,
  );
}

/**
 * Sends one data-plane request over the side's wire client (JSON in, parsed JSON out) with `withRetry`.
 * `read` turns the response text into the output (default JSON.parse); it runs inside the attempt, so
 * a response it cannot read is handled like any other failed attempt.
 */
export function sendWireWithRetry<Output>(
  conn: SideConnection,
  body: string,
  options: RequestOptions,
  read: (text: string) => Output = JSON.parse,
): Promise<Output> {
  return withRetry(
    conn,
    async () => read(await wireClient(conn).sendText(options.operation, body, options.signal)),
    options,
  );
}

/**
 * Makes one request, retrying throttling, transient errors and expired credentials with full-jitter
 * backoff until the policy's budget is spent. Whatever is not retried leaves as one of our typed errors.
 * `attempt` sends the request once, with any client of the side (the streams reader has its own); an
 * error of ours it throws (one it mapped itself) leaves at once, unretried.
 */
export async function withRetry<Output>(
  conn: SideConnection,
  attempt: () => Promise<Output>,
  options: RequestOptions,
): Promise<Output> {
  const budget = new RetryBudget(options.policy);
  const context = {
    side: conn.side,
    table: conn.tableName,
    operation: options.operation,
    endpoint: options.endpoint ?? conn.endpoint,
  };
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // Ours already (the operation guard refused before sending): as it is, with its own hint.
      if (isDdbCopyError(error)) throw error;
      const cls = classifyError(error);
      if (cls === 'fatal' || cls === 'too-large') throw toDdbCopyError(error, context);
      if (cls === 'unreachable' && !options.retryUnreachable) throw toDdbCopyError(error, context);
      if (cls === 'expired-credentials') conn.credentials.expireNow();
      options.onRetry?.(retryReason(cls));
      const delay = budget.failed();
      if (delay === undefined) {
        throw new RetryBudgetExhaustedError(
          `${options.operation} on the ${conn.side} table '${conn.tableName}' kept failing (${budget.attemptsWithoutProgress} attempts, last: ${errorName(error)}).`,
          {
            side: conn.side,
            cause: error,
            hint: 'Nothing was skipped. Lower the rate (--read-rate/--write-rate) or raise capacity, then run again.',
          },
        );
      }
      await sleep(delay, options.signal);
    }
  }
}

function retryReason(cls: ReturnType<typeof classifyError>): 'throttled' | 'expiredCredentials' | 'errors' {
  if (cls === 'throttled') return 'throttled';
  if (cls === 'expired-credentials') return 'expiredCredentials';
  return 'errors';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

/** True for the error an endpoint gives for an API it does not offer (DynamoDB Local: tags, PITR). */
export function isUnsupportedOperation(error: unknown): boolean {
  const cause = error instanceof Error && error.cause ? error.cause : error;
  const name = cause instanceof Error ? cause.name : '';
  const message = cause instanceof Error ? cause.message : '';
  return name === 'UnknownOperationException' || /not (currently )?supported/i.test(message);
}
