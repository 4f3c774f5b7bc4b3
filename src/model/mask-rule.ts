/**
 * A masking rule as data: where (a path into an item) and what (an action). Parsed and checked by
 * `plan/mask-rules.ts`, applied by `engine/copy/masker.ts`; both read this one definition.
 */

/** The kinds `fake:KIND` takes (`fake:email`, `fake:name`, ...): a mask file or `--mask` naming another is refused. */
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
/** A kind of realistic fake value (`fake:email`, ...), drawn from a seed the secret and the value give. */
export type FakeKind = (typeof FAKE_KINDS)[number];

/** What a mask does to a value: an HMAC, a fixed text, removal, null, left alone, or a fake of a kind. */
export type MaskAction =
  | { kind: 'hash' }
  | { kind: 'redact' }
  | { kind: 'remove' }
  | { kind: 'null' }
  | { kind: 'keep' }
  | { kind: 'fake'; fake: FakeKind };

/** One step of a path: a map key (a top-level attribute first), or `[*]`, every element of a list. */
export type PathStep = { kind: 'attribute'; name: string } | { kind: 'every' };

/** One mask: the attribute path it applies to and what it does there (from `--mask` or a mask file). */
export interface MaskRule {
  /** Starts with an attribute step. */
  readonly path: readonly PathStep[];
  readonly action: MaskAction;
  /** The rule as the user wrote it, e.g. 'contacts[*].email=fake:email'; counts and messages use it. */
  readonly text: string;
}
