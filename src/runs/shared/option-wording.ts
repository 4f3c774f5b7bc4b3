/**
 * Errors name what their caller typed: the flag (`--write-rate`) on the command line, the option
 * (`writeRate`) in code. Messages are written once, with flags; a library caller gets them reworded
 * here, from the declaration tables, so no message needs two wordings. The CLI runs inside
 * `withFlagWording`, which keeps the flags.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type DdbCopyError, isDdbCopyError } from '../../errors.js';
import { COPY_OPTION_DECLARATIONS, type OptionDeclaration } from '../copy/options.js';
import { EXPORT_OPTION_DECLARATIONS } from '../export/options.js';
import { FOLLOW_OPTION_DECLARATIONS } from '../follow/options.js';
import { IAM_POLICY_SIDE_DECLARATION } from '../iam-policy/side-policy.js';
import { IMPORT_OPTION_DECLARATIONS } from '../import/options.js';
import { TABLE_SET_DECLARATIONS } from '../tables/options.js';
import { VERIFY_OPTION_DECLARATIONS } from '../verify/options.js';

// Set while a command line is being run: its errors keep naming flags. Scoped to the call (not the
// process), so library calls and CLI runs in one process each get their own wording.
const flagWording = new AsyncLocalStorage<true>();

/** Runs `run` so that the errors it throws or returns name command-line flags (what the CLI does). */
export function withFlagWording<T>(run: () => T): T {
  return flagWording.run(true, run);
}

/** The option a flag is given as in code: the flag in camelCase, as the validators read it (`write-rate` → `writeRate`). */
export function optionNameOf(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

let declaredFlags: ReadonlySet<string> | undefined;

/** Every flag of every command, from the declaration tables (read on first use: they import this module's neighbours). */
function flags(): ReadonlySet<string> {
  declaredFlags ??= new Set(
    [
      ...COPY_OPTION_DECLARATIONS,
      ...VERIFY_OPTION_DECLARATIONS,
      ...EXPORT_OPTION_DECLARATIONS,
      ...IMPORT_OPTION_DECLARATIONS,
      ...FOLLOW_OPTION_DECLARATIONS,
      ...TABLE_SET_DECLARATIONS,
      IAM_POLICY_SIDE_DECLARATION,
    ].map((declaration: OptionDeclaration) => declaration.flag),
  );
  return declaredFlags;
}

// A command to run (`aws dynamodb update-table --region ...`, `ddbcopy verify --source ...`) is quoted
// as it is typed: its flags stay flags. It runs to the next quote, bracket, line end or full stop.
const COMMAND = /(?:^|(?<=[\s'"`(:]))(?:aws|ddbcopy) (?:[^'"`)\n.]|\.(?!\s|$))*/g;
const FLAG = /(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g;

/** `text` with each declared flag outside a quoted command replaced by its option name. */
export function inOptionWords(text: string): string {
  const known = flags();
  const reword = (part: string): string =>
    part.replace(FLAG, (whole, flag: string) => (known.has(flag) ? optionNameOf(flag) : whole));
  let result = '';
  let last = 0;
  for (const match of text.matchAll(COMMAND)) {
    result += reword(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return result + reword(text.slice(last));
}

/**
 * The error in its caller's words: reworded in place for code (message and hint name options), as it
 * is inside `withFlagWording`. Idempotent; anything but our typed errors passes untouched.
 */
export function inCallerWords<E>(error: E): E {
  if (flagWording.getStore() || !isDdbCopyError(error)) return error;
  const typed: DdbCopyError = error;
  typed.message = inOptionWords(typed.message);
  // `hint` is read-only to users of the error; this is where it is written, once, before they see it.
  if (typed.hint !== undefined) (typed as { hint: string | undefined }).hint = inOptionWords(typed.hint);
  return error;
}

/** `fn` with its thrown errors in its caller's words: how the library's validators are exported. */
export function speakingToCaller<Args extends unknown[], Result>(
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  return (...args) => {
    try {
      const result = fn(...args);
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          throw inCallerWords(error);
        }) as Result;
      }
      return result;
    } catch (error) {
      throw inCallerWords(error);
    }
  };
}
