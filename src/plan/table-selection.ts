/**
 * Which tables a run over many tables copies, and under which names: `--tables`, `--exclude`, a tag
 * filter and `--rename`, turned into source → target pairs. Pure: the run lists the source's tables
 * (every ListTables page) and its tags, and hands them in; nothing here makes a request.
 *
 * Every refusal is an InvalidOptionError: bad input, found before anything was touched (exit 2).
 */
import { InvalidOptionError } from '../errors.js';
import { editDistance } from '../model/edit-distance.js';

/** One table of the set: the source table's name, and the name it gets on the target side. */
export interface TablePair {
  source: string;
  target: string;
}

/**
 * One `--rename FROM=TO`, parsed. `text` is the rule as the user wrote it, for messages.
 * - prefix: a name starting with `from` gets `from` replaced by `to` (`to` may be empty: strip it).
 * - pattern: `pattern` is anchored to the whole name; `to` may use `$1`, `$<name>` and `$&`.
 */
export type RenameRule =
  | { kind: 'prefix'; from: string; to: string; text: string }
  | { kind: 'pattern'; pattern: RegExp; to: string; text: string };

/** DynamoDB's table-name rule: 3 to 255 characters of letters, digits, '_', '-' and '.'. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const TABLE_NAME_RULE = "3 to 255 characters of letters, digits, '_', '-' and '.'";
/** A glob may be shorter than a name ('*' alone selects every table), never longer. */
const GLOB = /^[A-Za-z0-9_.*?-]{1,255}$/;
/** How many names a hint lists before it says "and N more". */
const HINT_NAMES = 5;

/** True when `name` is a valid DynamoDB table name. */
export function isValidTableName(name: string): boolean {
  return TABLE_NAME.test(name);
}

function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * `--tables LIST` (or `--exclude LIST`, named by `flag`): comma-separated table names or globs.
 *
 * - A literal name is 3 to 255 characters of `[A-Za-z0-9_.-]`, DynamoDB's own rule.
 * - A glob may also hold `*` (any run of characters, also none) and `?` (exactly one character); table
 *   names have no path separators, so there is no `**`, no braces and no character classes.
 * - Spaces around entries and empty entries (`a,,b`, a trailing comma) are ignored; an entry given
 *   twice counts once. A list with no entry at all is refused.
 */
export function parseTablePatterns(text: string, flag = 'tables'): string[] {
  const patterns: string[] = [];
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '' || patterns.includes(entry)) continue;
    const valid = isGlob(entry) ? GLOB.test(entry) : TABLE_NAME.test(entry);
    if (!valid) {
      throw new InvalidOptionError(`--${flag}: '${entry}' is not a table name or a glob.`, {
        hint: `A table name is ${TABLE_NAME_RULE}; a glob may also use * (any characters) and ? (one character), e.g. --${flag} 'prod-*,audit-log'.`,
      });
    }
    patterns.push(entry);
  }
  if (patterns.length === 0) {
    throw new InvalidOptionError(`--${flag} names no table.`, {
      hint: `List table names or globs, separated by commas, e.g. --${flag} 'prod-*,audit-log'.`,
    });
  }
  return patterns;
}

/**
 * Whether `name` matches `glob`, case-sensitively (as DynamoDB's table names are): `*` is any run of
 * characters (also none), `?` exactly one character, every other character itself.
 */
export function matchesGlob(name: string, glob: string): boolean {
  // Two pointers with one backtrack point (the last '*'), not a RegExp: a glob like '*a*a*a*a*b'
  // would make a backtracking RegExp exponential; this is at worst length × length.
  let n = 0;
  let g = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (n < name.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === name[n])) {
      n += 1;
      g += 1;
    } else if (g < glob.length && glob[g] === '*') {
      starAt = g;
      resumeAt = n;
      g += 1;
    } else if (starAt >= 0) {
      // Let the last '*' take one more character and try again from there.
      resumeAt += 1;
      n = resumeAt;
      g = starAt + 1;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g += 1;
  return g === glob.length;
}

/**
 * The source tables a run copies, in the order of `available` (ListTables lists alphabetically),
 * each once.
 *
 * 1. `include` (from `--tables`): a literal name must be one of `available`, and a glob must match
 *    at least one of them; either mistake is refused, naming the entry (a typo must not shrink the
 *    set silently).
 * 2. Names matching any `exclude` glob or name are dropped. An exclude that matches nothing is fine.
 * 3. With `tagged`, only names in `tagged.names` (the tables carrying `tagged.tag`) are kept.
 *
 * An empty result is refused, naming the filter that emptied it.
 *
 * @param input.available every table name of the source account and region (all ListTables pages)
 */
export function selectTables(input: {
  available: readonly string[];
  include: readonly string[];
  exclude: readonly string[];
  tagged?: { tag: string; names: ReadonlySet<string> };
}): string[] {
  const available = [...new Set(input.available)];
  if (input.include.length === 0) {
    throw new InvalidOptionError('--tables names no table.', {
      hint: "List table names or globs, separated by commas; --tables '*' selects every table.",
    });
  }
  const chosen = new Set<string>();
  for (const pattern of input.include) {
    if (!isGlob(pattern)) {
      if (!available.includes(pattern)) {
        throw new InvalidOptionError(`Table '${pattern}' is not in the source account/region.`, {
          hint: notFoundHint(pattern, available),
        });
      }
      chosen.add(pattern);
      continue;
    }
    const matches = available.filter((name) => matchesGlob(name, pattern));
    if (matches.length === 0) {
      throw new InvalidOptionError(`--tables '${pattern}' matches no table in the source account/region.`, {
        hint: availableHint(available),
      });
    }
    for (const name of matches) chosen.add(name);
  }
  const included = available.filter((name) => chosen.has(name));
  const kept = included.filter((name) => !input.exclude.some((glob) => matchesGlob(name, glob)));
  if (kept.length === 0) {
    throw new InvalidOptionError(
      `--exclude removes every table --tables selects (${listNames(included)}); nothing is left to copy.`,
      { hint: 'Narrow --exclude, or widen --tables.' },
    );
  }
  if (!input.tagged) return kept;
  const { tag, names } = input.tagged;
  const tagged = kept.filter((name) => names.has(name));
  if (tagged.length === 0) {
    throw new InvalidOptionError(
      `None of the ${kept.length} selected table(s) carries the tag '${tag}'; nothing is left to copy.`,
      {
        hint: `Selected before the tag filter: ${listNames(kept)}. Tag keys and values are case-sensitive.`,
      },
    );
  }
  return tagged;
}

/** Up to HINT_NAMES names, then how many more there are. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, HINT_NAMES).join(', ');
  return names.length > HINT_NAMES ? `${shown} and ${names.length - HINT_NAMES} more` : shown;
}

function availableHint(available: readonly string[]): string {
  if (available.length === 0) {
    return 'The source has no tables: check the source profile, region and endpoint.';
  }
  return `The source's tables include: ${listNames(available)}.`;
}

/** The names most like the missing one (a typo, a missing prefix), else the first available ones. */
function notFoundHint(missing: string, available: readonly string[]): string {
  const wanted = missing.toLowerCase();
  // Two edits, or one in four characters of a long name; a name holding the other counts as close.
  const limit = Math.max(2, Math.floor(wanted.length / 4));
  const close = available
    .map((name) => {
      const lower = name.toLowerCase();
      const contains = lower.includes(wanted) || wanted.includes(lower);
      return { name, distance: contains ? 0 : editDistance(lower, wanted, limit) };
    })
    .filter((candidate) => candidate.distance <= limit)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, HINT_NAMES)
    .map((candidate) => candidate.name);
  if (close.length > 0) return `Tables with similar names: ${close.join(', ')}. Names are case-sensitive.`;
  return availableHint(available);
}

const RENAME_EXAMPLE =
  "e.g. --rename prod-=staging- (a prefix), --rename prod-orders=orders-copy (one table) or --rename '/prod-(.*)-v1/=staging-$1' (a pattern).";

/**
 * One `--rename FROM=TO`. One syntax, two forms:
 *
 * - prefix form `prod-=staging-`: a name starting with FROM gets FROM replaced by TO. A full table
 *   name is a prefix that is the whole name (`prod-orders=orders-copy`). TO may be empty (`prod-=`
 *   strips the prefix); the name that results must still be a valid table name (checkPairs).
 *   FROM and TO hold only table-name characters: there are no globs here, use the pattern form.
 * - pattern form `/REGEX/=TO`: a JavaScript regular expression matched against the WHOLE name (as if
 *   written `^(?:REGEX)$`); TO may use `$1`, `$2`, ... and `$<name>` for its groups and `$&` for the
 *   whole name, and must not be empty. References to groups the pattern does not have are refused.
 *
 * The rule splits on the first `=` after the closing `/` of the pattern form (so a pattern may hold
 * `=`), else on the first `=`.
 */
export function parseRenameRule(text: string): RenameRule {
  const rule = text.trim();
  const refuse = (problem: string): InvalidOptionError =>
    new InvalidOptionError(`--rename '${text}': ${problem}`, { hint: `Write FROM=TO, ${RENAME_EXAMPLE}` });
  if (rule.startsWith('/')) {
    const close = closingSlash(rule);
    if (close < 0) throw refuse('the pattern has no closing /.');
    if (rule[close + 1] !== '=') throw refuse("the pattern's closing / must be followed by =.");
    const source = rule.slice(1, close);
    const to = rule.slice(close + 2);
    if (source === '') throw refuse('the pattern is empty.');
    if (to === '') throw refuse('the new name after = is empty.');
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${source})$`);
    } catch (error) {
      throw refuse(`the pattern is not a valid regular expression (${(error as Error).message}).`);
    }
    const problem = replacementProblem(source, to);
    if (problem) throw refuse(problem);
    return { kind: 'pattern', pattern, to, text: rule };
  }
  const equals = rule.indexOf('=');
  if (equals < 0) throw refuse('there is no =.');
  const from = rule.slice(0, equals);
  const to = rule.slice(equals + 1);
  if (from === '') throw refuse('the name or prefix before = is empty.');
  if (!/^[A-Za-z0-9_.-]{1,255}$/.test(from) || !/^[A-Za-z0-9_.-]{0,255}$/.test(to)) {
    throw refuse(
      "a prefix rule holds only table-name characters (letters, digits, '_', '-', '.'); for wildcards, use /REGEX/=TO.",
    );
  }
  return { kind: 'prefix', from, to, text: rule };
}

/** The index of the `/` that ends a pattern starting at index 0, or -1. A `/` in `\/` or `[...]` does not. */
function closingSlash(rule: string): number {
  let inClass = false;
  for (let i = 1; i < rule.length; i += 1) {
    const char = rule[i];
    if (char === '\\') i += 1;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '/' && !inClass) return i;
  }
  return -1;
}

/**
 * Why `to` cannot be a replacement for `source`'s groups, or undefined. JavaScript leaves a reference to
 * a group that does not exist in the result as text ('$3'), which would only surface later as a
 * strange table name, and only if a table matches: refuse it here.
 */
function replacementProblem(source: string, to: string): string | undefined {
  // An alternative that matches the empty string reveals the pattern's groups without knowing any name.
  const probe = new RegExp(`(?:${source})|`).exec('')!;
  const groups = probe.length - 1;
  const names = new Set(Object.keys(probe.groups ?? {}));
  for (let i = 0; i < to.length; i += 1) {
    if (to[i] !== '$') continue;
    const next = to[i + 1] ?? '';
    if (next === '&') {
      i += 1;
    } else if (next === '<') {
      const end = to.indexOf('>', i);
      const name = end < 0 ? '' : to.slice(i + 2, end);
      if (!names.has(name)) return `'$<${name}${end < 0 ? '' : '>'}' names no group of the pattern.`;
      i = end;
    } else if (/\d/.test(next)) {
      // JavaScript reads '$12' as group 12 when there are 12 groups, else as group 1 and a '2'.
      const two = to.slice(i + 1, i + 3);
      if (/^\d\d$/.test(two) && Number(two) >= 1 && Number(two) <= groups) i += 2;
      else if (Number(next) >= 1 && Number(next) <= groups) i += 1;
      else return `'$${next}' refers to a group the pattern does not have (it has ${groups}).`;
    } else {
      return "a '$' in the new name must start $1, $<name> or $& (table names cannot hold '$').";
    }
  }
  return undefined;
}

/**
 * Each name with its target name: the FIRST rule (in the order given) that matches the name applies;
 * a name no rule matches keeps its name (copying to another account or region under the same name is
 * the usual case). The pairs are not checked here: checkPairs does that for the whole set.
 */
export function renameTables(names: readonly string[], rules: readonly RenameRule[]): TablePair[] {
  return names.map((source) => ({ source, target: renamed(source, rules) }));
}

function renamed(name: string, rules: readonly RenameRule[]): string {
  for (const rule of rules) {
    if (rule.kind === 'prefix') {
      if (name.startsWith(rule.from)) return rule.to + name.slice(rule.from.length);
    } else if (rule.pattern.test(name)) {
      return name.replace(rule.pattern, rule.to);
    }
  }
  return name;
}

const RENAME_HINT =
  'Add or fix --rename so each table gets its own new name (the first rule that matches a name applies)';

/**
 * Refuses a set of pairs that cannot be copied as a whole, before anything runs:
 * - a target name that is not a valid table name (3 to 255 of `[A-Za-z0-9_.-]`), naming the source
 *   and the name it would get;
 * - a source listed twice, or two sources with one target (the second copy would replace the first);
 * - when `sameLocation` (both sides are the same account, region and endpoint): a target that is any
 *   source of the set, itself included, since copying would overwrite that source table.
 */
export function checkPairs(pairs: readonly TablePair[], context: { sameLocation: boolean }): void {
  for (const { source, target } of pairs) {
    if (!TABLE_NAME.test(target)) {
      throw new InvalidOptionError(
        `Table '${source}' would be copied to '${target}', which is not a valid table name.`,
        { hint: `A table name is ${TABLE_NAME_RULE}. ${RENAME_HINT}.` },
      );
    }
  }
  const sourceOf = new Map<string, string>();
  const sources = new Set<string>();
  for (const { source, target } of pairs) {
    if (sources.has(source)) {
      throw new InvalidOptionError(`Table '${source}' is in the set twice.`, {
        hint: 'List each source table once.',
      });
    }
    sources.add(source);
    const earlier = sourceOf.get(target);
    if (earlier !== undefined) {
      throw new InvalidOptionError(
        `Tables '${earlier}' and '${source}' would both be copied to '${target}'.`,
        {
          hint: `${RENAME_HINT}.`,
        },
      );
    }
    sourceOf.set(target, source);
  }
  if (!context.sameLocation) return;
  for (const { source, target } of pairs) {
    if (sources.has(target)) {
      throw new InvalidOptionError(
        `Copying '${source}' to '${target}' would overwrite the source table '${target}': both sides are the same account and region.`,
        { hint: `${RENAME_HINT}, or pick another target account/region.` },
      );
    }
  }
}

/**
 * What a glob over source names becomes on the target, for IAM resources: a prefix rule applies to the
 * glob's literal start (`prod-*` with `prod-=staging-` → `staging-*`); a pattern rule's output cannot
 * be told from a glob, so it becomes `*`. A glob no rule matches stays as it is.
 */
export function renamePattern(glob: string, rules: readonly RenameRule[]): string {
  for (const rule of rules) {
    if (rule.kind === 'prefix') {
      if (glob.startsWith(rule.from)) return `${rule.to}${glob.slice(rule.from.length)}`;
      // The glob's wildcard reaches into the prefix: some names may map, some not.
      const literal = glob.split(/[*?]/)[0] ?? '';
      if (literal.length < glob.length && rule.from.startsWith(literal)) return '*';
    } else if (/[*?]/.test(glob) || rule.pattern.test(glob)) {
      return '*';
    }
  }
  return glob;
}
