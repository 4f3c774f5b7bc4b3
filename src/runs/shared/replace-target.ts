import type { CreateTableCommandInput, TableDescription } from '@aws-sdk/client-dynamodb';
import { DeletionNotConfirmedError, DeletionProtectedError, InterruptedError } from '../../errors.js';
import type { SideConnection } from '../../stores/dynamodb/client.js';
import type { DynamoDbSink } from '../../stores/dynamodb/sink.js';
import type { LateSetting } from '../../stores/types.js';

/** What `copy` offers instead of replacing the target. */
export const KEEP_WITH_DATA_ONLY = 'use --data-only to copy items into it as it is';

/** Asks before an existing target is deleted; resolves true to go ahead. */
export type ConfirmDeletion = (question: {
  table: string;
  region: string;
  endpoint: string | undefined;
}) => Promise<boolean>;

export interface ReplaceTargetInput {
  sink: DynamoDbSink;
  target: SideConnection;
  /** The target as it is now; undefined when it does not exist. */
  existing: TableDescription | undefined;
  /**
   * CreateTable's input; or a function that brings the new table into being and returns once it is
   * ACTIVE (`copy --via-export`: ImportTable creates the table itself).
   */
  createTable: CreateTableCommandInput | ((signal: AbortSignal | undefined) => Promise<void>);
  lateSettings: readonly LateSetting[];
  /** --yes: delete an existing target without asking. */
  yes: boolean;
  confirmDeletion: ConfirmDeletion | undefined;
  signal: AbortSignal | undefined;
  onStep: (step: 'delete' | 'create' | 'settings', message: string) => void;
  onWarning: (message: string) => void;
  /** DynamoDB accepted the deletion: from here on a failure has changed something. */
  onDeleted: () => void;
  /** How to keep the existing table instead, when the command has a way (copy: --data-only). */
  keepAlternative?: string;
}

export interface ReplaceTargetResult {
  action: 'recreated' | 'created';
  applied: string[];
  unsupported: string[];
}

/**
 * The one way ddbcopy replaces a target (copy and import alike): refuse deletion protection, delete
 * an existing table only once confirmed and wait until it is gone, create the new one with every
 * index and wait for ACTIVE, then apply the settings CreateTable cannot take.
 */
export async function replaceTarget(input: ReplaceTargetInput): Promise<ReplaceTargetResult> {
  const { sink, target, signal } = input;
  if (input.existing) {
    await confirmReplacement(input);
    throwIfAborted(signal);
    input.onStep('delete', `Deleting target table '${target.tableName}' and waiting until it is gone`);
    await sink.deleteTable(signal, input.onDeleted);
  }
  throwIfAborted(signal);
  if (typeof input.createTable === 'function') await input.createTable(signal);
  else {
    input.onStep(
      'create',
      `Creating target table '${target.tableName}' with every index, waiting for ACTIVE`,
    );
    await sink.createTable(input.createTable, signal);
  }
  const result: ReplaceTargetResult = {
    action: input.existing ? 'recreated' : 'created',
    applied: [],
    unsupported: [],
  };
  for (const setting of input.lateSettings) {
    input.onStep('settings', `Applying ${setting.kind} to the target`);
    if ((await sink.applySetting(setting, signal)) === 'applied') result.applied.push(setting.kind);
    else {
      result.unsupported.push(setting.kind);
      input.onWarning(`The target endpoint does not support ${setting.kind}; it was not applied.`);
    }
  }
  return result;
}

/**
 * The checks before an existing target is deleted: deletion protection refused, deletion confirmed
 * (--yes or the prompt). Throws the typed refusal; changes nothing. `copy --via-export` asks this
 * before its export starts, so nobody is asked minutes into a run.
 */
export async function confirmReplacement(
  input: Pick<ReplaceTargetInput, 'target' | 'existing' | 'yes' | 'confirmDeletion' | 'keepAlternative'>,
): Promise<void> {
  const { target } = input;
  if (!input.existing) return;
  if (input.existing.DeletionProtectionEnabled)
    throw deletionProtected(target.tableName, input.keepAlternative);
  const confirmed =
    input.yes ||
    (input.confirmDeletion !== undefined &&
      (await input.confirmDeletion({
        table: target.tableName,
        region: target.region,
        endpoint: target.endpoint,
      })));
  if (!confirmed) {
    throw new DeletionNotConfirmedError(
      `The target table '${target.tableName}' exists and would be deleted; deletion was not confirmed.`,
      {
        side: 'target',
        hint: `Pass --yes to confirm (scripts) or answer the prompt on a terminal${input.keepAlternative ? `; or ${input.keepAlternative}` : ''}.`,
      },
    );
  }
}

/** Deletion protection is the owner's decision: ddbcopy never turns it off, and says how to. */
export function deletionProtected(table: string, keepAlternative?: string): DeletionProtectedError {
  return new DeletionProtectedError(
    `The target table '${table}' has deletion protection on; ddbcopy will not delete it.`,
    {
      side: 'target',
      hint: `If it really should be replaced, turn protection off yourself: aws dynamodb update-table --table-name ${table} --no-deletion-protection-enabled.${keepAlternative ? ` Or ${keepAlternative}.` : ''}`,
    },
  );
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('Interrupted before the target was changed further.');
}
