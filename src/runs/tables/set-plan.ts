import type { ErrorReport } from '../../errors.js';
import type { SideIdentity } from '../../model/side-identity.js';
import type { TablePair } from '../../plan/table-selection.js';

/** What a run over a set will do with one pair: shown by --dry-run and before the one confirmation. */
export interface TablePlanEntry {
  pair: TablePair;
  /**
   * recreate: the existing target is deleted and created again from the source; create: no target yet;
   * data-only / schema-only: as the flags say; resume: continues a record, the target is kept;
   * done-before: an earlier run of the same record finished it (no request is made);
   * unplannable: describing or planning it failed (its error says why).
   */
  action: 'recreate' | 'create' | 'data-only' | 'schema-only' | 'resume' | 'done-before' | 'unplannable';
  /** True when the run deletes an existing target table (the confirmation lists these). */
  deletesTarget: boolean;
  /** `account`: the account the target side's credentials belong to (STS), when known. */
  target: { table: string; region: string | null; endpoint: string | null; account?: string };
  /** The source's size as DynamoDB describes it (refreshed about every six hours on AWS). */
  estimate: { items: number; bytes: number };
  /** The existing target's size, when there is one. */
  existingTarget?: { items: number; bytes: number };
  /** Who the sides act as (account, profile or role, region), as planning found them (import: the target only). */
  sides?: { source?: SideIdentity; target?: SideIdentity };
  warnings: string[];
  /** The masks for this pair, per attribute path, and the key attributes they touch. */
  masks?: string[];
  /** The filter, when only matching items are copied. */
  filter?: string;
  error?: ErrorReport;
}

/** The one deletion question for a set: every target that will be deleted, asked once. */
export interface SetDeletionQuestion {
  /** Who the target side acts as (every target of a set is reached the same way), when known. */
  who?: SideIdentity;
  targets: readonly {
    table: string;
    region: string | null;
    endpoint: string | null;
    items: number;
    bytes: number;
  }[];
}
