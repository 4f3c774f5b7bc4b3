import { DeletionNotConfirmedError, InterruptedError } from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { CreateTableCommandInput, TableDescription } from '../../model/table.js';
import { deletionProtected } from '../../plan/target-replacement.js';
import type { LateSetting, Sink, StoreEnd } from '../../stores/types.js';

// Planning refuses a protected target too (a dry run says so): the words live with the plan.
export { deletionProtected, KEEP_WITH_DATA_ONLY } from '../../plan/target-replacement.js';

/** What the user is asked before an existing target is deleted: which table, where, as whom, how big. */
export interface DeletionQuestion {
  table: string;
  region: string;
  endpoint: string | undefined;
  /** Who the target side acts as: the account its credentials belong to, the profile or role. */
  who?: SideIdentity;
  /** What the table holds now, as DescribeTable says (approximate on AWS, refreshed about every six hours). */
  items?: number;
  bytes?: number;
}

/** Asks before an existing target is deleted; resolves true to go ahead. */
export type ConfirmDeletion = (question: DeletionQuestion) => Promise<boolean>;

export interface ReplaceTargetInput {
  /** The target's store: its control plane, and where it is (for messages and the confirmation). */
  sink: Sink & StoreEnd;
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
  const { sink, signal } = input;
  if (input.existing) {
    await confirmReplacement(input);
    throwIfAborted(signal);
    input.onStep('delete', `Deleting target table '${sink.tableName}' and waiting until it is gone`);
    await sink.deleteTable(signal, input.onDeleted);
  }
  throwIfAborted(signal);
  if (typeof input.createTable === 'function') await input.createTable(signal);
  else {
    input.onStep('create', `Creating target table '${sink.tableName}' with every index, waiting for ACTIVE`);
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
  input: Pick<ReplaceTargetInput, 'sink' | 'existing' | 'yes' | 'confirmDeletion' | 'keepAlternative'>,
): Promise<void> {
  const { sink } = input;
  if (!input.existing) return;
  if (input.existing.DeletionProtectionEnabled)
    throw deletionProtected(sink.tableName, input.keepAlternative);
  const confirmed =
    input.yes ||
    (input.confirmDeletion !== undefined &&
      (await input.confirmDeletion({
        table: sink.tableName,
        region: sink.identity.region,
        endpoint: sink.identity.endpoint ?? undefined,
        who: await sink.whoAmI(),
        items: Math.max(0, input.existing.ItemCount ?? 0),
        bytes: Math.max(0, input.existing.TableSizeBytes ?? 0),
      })));
  if (!confirmed) {
    throw new DeletionNotConfirmedError(
      `The target table '${sink.tableName}' exists and would be deleted; deletion was not confirmed.`,
      {
        side: 'target',
        hint: `Pass --yes to confirm (scripts) or answer the prompt on a terminal${input.keepAlternative ? `; or ${input.keepAlternative}` : ''}.`,
      },
    );
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('Interrupted before the target was changed further.');
}
