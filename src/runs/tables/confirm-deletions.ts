import { DeletionNotConfirmedError } from '../../errors.js';
import type { SetDeletionQuestion, TablePlanEntry } from './set-plan.js';

/**
 * The one confirmation for a set: every target that will be deleted, asked once (or `yes`). Resolves
 * with the targets the user agreed to delete; each table's own run deletes only those (a table that
 * appeared since is refused). Throws DeletionNotConfirmedError when the answer is no, or when there is
 * no one to ask. `hint` says how to confirm, or how to avoid deleting, for this command.
 */
export async function confirmSetDeletions(
  entries: readonly TablePlanEntry[],
  input: {
    yes: boolean;
    confirm: ((question: SetDeletionQuestion) => Promise<boolean>) | undefined;
    hint: string;
  },
): Promise<ReadonlySet<string>> {
  const deleting = entries.filter((entry) => entry.deletesTarget);
  const approved = new Set(deleting.map((entry) => entry.target.table));
  if (deleting.length === 0 || input.yes) return approved;
  // Every target of a set is reached through the same side: one "as whom" for them all.
  const who = deleting.find((entry) => entry.sides?.target)?.sides?.target;
  const question: SetDeletionQuestion = {
    ...(who ? { who } : {}),
    targets: deleting.map((entry) => ({
      table: entry.target.table,
      region: entry.target.region,
      endpoint: entry.target.endpoint,
      items: entry.existingTarget?.items ?? 0,
      bytes: entry.existingTarget?.bytes ?? 0,
    })),
  };
  if (input.confirm && (await input.confirm(question))) return approved;
  throw new DeletionNotConfirmedError(
    `${deleting.length} target table(s) exist and would be deleted (${deleting.map((e) => e.target.table).join(', ')}); deletion was not confirmed.`,
    { side: 'target', hint: input.hint },
  );
}
