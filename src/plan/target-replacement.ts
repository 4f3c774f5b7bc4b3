/**
 * The pure parts of replacing a target that planning shares with the run that replaces it
 * (runs/shared/replace-target.ts): a plan refuses a protected target before anything runs, so a dry
 * run says so too, in the same words.
 */
import { DeletionProtectedError } from '../errors.js';

/** What `copy` offers instead of replacing the target. */
export const KEEP_WITH_DATA_ONLY = 'use --data-only to copy items into it as it is';

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
