import { InvalidOptionError } from '../../errors.js';
import type { OptionDeclaration, RawOptions } from '../copy/options.js';

/** What `--follow` adds to a copy. */
export interface FollowSettings {
  /** Return (exit 0) once the target has caught up, instead of following until interrupted. */
  readonly untilCaughtUp: boolean;
}

/** `--follow` and `--until-caught-up`, on `copy` (one table or many). */
export const FOLLOW_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'follow',
    help: "after the copy, apply the source's stream (puts and deletes) to the target until Ctrl-C; needs DynamoDB Streams on the source",
  },
  {
    flag: 'until-caught-up',
    help: 'with --follow: exit 0 once the target has caught up with the source (stop writes to the source first: the cut-over)',
  },
];

/**
 * The follow flags of a copy, checked against the copy's other flags as given (mode, filter, verify,
 * via-export) that cannot go with them; undefined without --follow.
 */
export function followSettings(raw: RawOptions): FollowSettings | undefined {
  if (!raw.follow) {
    if (raw.untilCaughtUp) {
      throw new InvalidOptionError('--until-caught-up only applies to --follow.', {
        hint: 'Add --follow to keep the target in step with the source after the copy.',
      });
    }
    return undefined;
  }
  const refuse = (flag: string, hint: string): never => {
    throw new InvalidOptionError(`--follow and ${flag} cannot be used together.`, { hint });
  };
  if (raw.schemaOnly)
    refuse('--schema-only', 'A follow applies item changes; --schema-only copies no items.');
  if (raw.filterExpression !== undefined) {
    refuse(
      '--filter-expression',
      'A stream record cannot be matched against a Scan filter, so items leaving the filter would stay on the target. Use --transform MODULE returning null for the items to leave out: a follow deletes those from the target.',
    );
  }
  if (raw.viaExport !== undefined) {
    refuse(
      '--via-export',
      "AWS's export and import jobs take no stream position. Copy directly (drop --via-export) to follow.",
    );
  }
  if (raw.verify && !raw.untilCaughtUp) {
    refuse(
      '--verify without --until-caught-up',
      'A follow without --until-caught-up runs until Ctrl-C, so there is no moment to verify at. Add --until-caught-up (after stopping writes to the source), or run `ddbcopy verify` then.',
    );
  }
  return Object.freeze({ untilCaughtUp: raw.untilCaughtUp === true });
}
