/**
 * The settings ImportTable cannot take but UpdateTable can (streams, table class, deletion
 * protection), applied to the imported table one at a time: UpdateTable refuses a table that is
 * still UPDATING, so each waits for ACTIVE before the next.
 */
import { UpdateTableCommand, type UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TableStateTimeoutError } from '../../errors.js';
import type { TableUpdate } from '../../model/table-update.js';
import { sleep, TABLE_OPERATION_RETRY_POLICY } from '../../runtime/retry.js';
import { isUnsupportedOperation, sendWithRetry } from './request.js';
import type { DynamoDbSink } from './sink.js';

/** Enabling a stream or changing the table class keeps a table UPDATING for minutes on AWS. */
const UPDATE_TIMEOUT_MS = 30 * 60_000;

export interface TableUpdateResult {
  applied: string[];
  unsupported: string[];
}

/** Applies each update and waits for ACTIVE; an endpoint without the feature is reported, not fatal. */
export async function applyTableUpdates(
  sink: DynamoDbSink,
  updates: readonly TableUpdate[],
  hooks: {
    signal: AbortSignal | undefined;
    onStep: (message: string) => void;
    onWarning: (message: string) => void;
  },
): Promise<TableUpdateResult> {
  const result: TableUpdateResult = { applied: [], unsupported: [] };
  const conn = sink.connection;
  for (const update of updates) {
    hooks.onStep(`Applying ${update.kind} to the target (UpdateTable)`);
    try {
      await sendWithRetry(conn, new UpdateTableCommand(updateInput(conn.apiTableName, update)), {
        operation: 'UpdateTable',
        policy: TABLE_OPERATION_RETRY_POLICY,
        signal: hooks.signal,
      });
    } catch (error) {
      if (!isUnsupportedOperation(error)) throw error;
      result.unsupported.push(update.kind);
      hooks.onWarning(`The target endpoint does not support ${update.kind}; it was not applied.`);
      continue;
    }
    await waitUntilActive(sink, hooks.signal);
    result.applied.push(update.kind);
  }
  return result;
}

function updateInput(table: string, update: TableUpdate): UpdateTableCommandInput {
  switch (update.kind) {
    case 'streams':
      return { TableName: table, StreamSpecification: update.streamSpecification };
    case 'table-class':
      return { TableName: table, TableClass: update.tableClass };
    case 'deletion-protection':
      return { TableName: table, DeletionProtectionEnabled: true };
  }
}

/** Polls DescribeTable until the table is ACTIVE, backing off from 250 ms to 5 s. */
export async function waitUntilActive(sink: DynamoDbSink, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  let delay = 250;
  for (;;) {
    const table = await sink.describe(signal);
    if (table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new TableStateTimeoutError(
        `Gave up waiting for the target table '${sink.connection.tableName}' to become ACTIVE after ${UPDATE_TIMEOUT_MS / 60_000} minutes (status: ${table?.TableStatus ?? 'absent'}).`,
        { side: 'target', hint: 'Check the table in the AWS console; the import itself completed.' },
      );
    }
    await sleep(delay, signal);
    delay = Math.min(5_000, delay * 1.5);
  }
}
