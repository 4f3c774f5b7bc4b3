/**
 * A masking rule as data: where (a path into an item) and what (an action). Parsed and checked by
 * `plan/mask-rules.ts`, applied by `engine/copy/masker.ts`; both read this one definition.
 */

export const FAKE_KINDS = [
  'email',
  'name',
  'first-name',
  'last-name',
  'phone',
  'address',
  'city',
  'company',
  'iban',
  'ipv4',
  'uuid',
  'date',
] as const;
export type FakeKind = (typeof FAKE_KINDS)[number];

export type MaskAction =
  | { kind: 'hash' }
  | { kind: 'redact' }
  | { kind: 'remove' }
  | { kind: 'null' }
  | { kind: 'keep' }
  | { kind: 'fake'; fake: FakeKind };

/** One step of a path: a map key (a top-level attribute first), or `[*]`, every element of a list. */
export type PathStep = { kind: 'attribute'; name: string } | { kind: 'every' };

export interface MaskRule {
  /** Starts with an attribute step. */
  readonly path: readonly PathStep[];
  readonly action: MaskAction;
  /** The rule as the user wrote it, e.g. 'contacts[*].email=fake:email'; counts and messages use it. */
  readonly text: string;
}
