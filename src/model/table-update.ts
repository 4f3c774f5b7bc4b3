import type { TableDescription } from './table.js';

/**
 * A change UpdateTable makes to an ACTIVE table, for what neither CreateTable nor ImportTable can take
 * (applied one at a time: UpdateTable takes one change per call).
 */
export type TableUpdate =
  | { kind: 'streams'; streamSpecification: NonNullable<TableDescription['StreamSpecification']> }
  | {
      kind: 'table-class';
      tableClass: NonNullable<NonNullable<TableDescription['TableClassSummary']>['TableClass']>;
    }
  // Last: a protected table could not be cleaned up by hand if a later step failed.
  | { kind: 'deletion-protection' };
