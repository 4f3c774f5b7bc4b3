/**
 * A plan file's content, checked: a team keeps a refresh (which tables, under which names, with which
 * settings) in version control as JSON or YAML. The runs layer reads and parses the file; this checks
 * the parsed value's shape and hands back the settings keyed as commander keys raw options (camelCase),
 * so each table's settings go through the copy's own flag validation, which checks what they mean.
 *
 * ```yaml
 * defaults:
 *   write-rate: 50%
 *   skip: [pitr]
 * tables:
 *   - source: prod-orders
 *     target: staging-orders
 *     data-only: true
 *   - source: prod-users          # no target: --rename applies, else the same name
 *     billing-mode: on-demand
 * ```
 */
import { InvalidOptionError } from '../errors.js';
import { isValidTableName } from './table-selection.js';

/** One table of a plan file: its source, its target when given, and its own settings. */
export interface PlanFileEntry {
  source: string;
  /** Absent: the run's --rename rules name the target, else it keeps the source's name. */
  target?: string;
  /** Settings for this table only, over `defaults`, keyed in camelCase (`writeRate`). */
  overrides: Readonly<Record<string, string | boolean>>;
}

/** A plan file, checked: settings for every table, and the tables in the file's order. */
export interface PlanFile {
  /** Settings for every table, keyed in camelCase (`writeRate`, `sseKmsKeyId`). */
  defaults: Readonly<Record<string, string | boolean>>;
  tables: readonly PlanFileEntry[];
}

/** The settings that are switches (true or false); every other setting takes a value. */
const BOOLEAN_SETTINGS: readonly string[] = ['data-only', 'schema-only', 'consistent-read'];

/**
 * The settings a plan file may give, for every table (`defaults`) or one (`tables[i]`), as the copy's
 * flag names; each may also be spelled in camelCase (`write-rate` or `writeRate`). What the run decides
 * once for the whole set (the sides, --yes, --resume, --checkpoint, --workers) is not here.
 */
export const PLAN_FILE_SETTINGS: readonly string[] = [
  'data-only',
  'schema-only',
  'read-rate',
  'write-rate',
  'skip',
  'billing-mode',
  'read-capacity',
  'write-capacity',
  'sse-kms-key-id',
  'segments',
  'concurrency',
  'consistent-read',
];

const TOP_LEVEL_KEYS: readonly string[] = ['defaults', 'tables'];
const ENTRY_KEYS: readonly string[] = ['source', 'target'];

/** 'sse-kms-key-id' → 'sseKmsKeyId', as commander keys the flag's value. */
function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Either spelling of a setting → its flag name. */
const SETTING_BY_SPELLING = new Map<string, string>(
  PLAN_FILE_SETTINGS.flatMap((flag) => [
    [flag, flag],
    [camelCase(flag), flag],
  ]),
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** What a value is, in the words of the file (for "must be X, not Y"). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text '${value}'`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

/**
 * Checks a parsed plan file (JSON or YAML, already a plain value) and returns it in the shape the run
 * uses. Refused, with the file and the place in it (`tables[2].write-rate`):
 * - anything but a mapping with `tables` (a non-empty list) and optionally `defaults` (a mapping);
 * - a table entry that is not a mapping, has no `source`, or has a `source` or `target` that is not a
 *   valid table name; the same `source` twice;
 * - an unknown key (the message lists the allowed ones), or one setting given in both spellings;
 * - a switch (`data-only`, `schema-only`, `consistent-read`) that is not true or false; any other
 *   setting that is not a string or a number (`skip`: also a list of strings), or is empty.
 *
 * Numbers become strings (`write-rate: 500` → '500'), `skip` lists become one comma-separated string;
 * what a value means (a rate, a billing mode) is checked later by the copy's own flag validation.
 *
 * @param file the file's name as the user gave it: every message starts with it
 */
export function validatePlanFile(value: unknown, file: string): PlanFile {
  const refuse = (where: string, problem: string, hint: string): InvalidOptionError =>
    new InvalidOptionError(`Plan file ${file}${where ? `, ${where}` : ''}: ${problem}`, { hint });
  const tablesHint =
    'A plan file is a mapping with `tables:`, a list of entries like `- source: prod-orders`.';

  if (!isPlainObject(value)) {
    throw refuse('', `the file must hold a mapping, not ${kindOf(value)}.`, tablesHint);
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      throw refuse('', `unknown key '${key}'.`, `The top level takes only: ${TOP_LEVEL_KEYS.join(', ')}.`);
    }
  }
  if (value['tables'] === undefined) throw refuse('', 'there is no `tables` list.', tablesHint);
  const tables = value['tables'];
  if (!Array.isArray(tables) || tables.length === 0) {
    throw refuse(
      'tables',
      `must be a non-empty list, not ${Array.isArray(tables) ? 'an empty list' : kindOf(tables)}.`,
      tablesHint,
    );
  }

  let defaults: Readonly<Record<string, string | boolean>> = Object.freeze({});
  if (value['defaults'] !== undefined) {
    const given = value['defaults'];
    if (!isPlainObject(given)) {
      throw refuse(
        'defaults',
        `must be a mapping of settings, not ${kindOf(given)}.`,
        `Settings: ${PLAN_FILE_SETTINGS.join(', ')}.`,
      );
    }
    defaults = settings(given, 'defaults', [], refuse);
  }

  const entries: PlanFileEntry[] = [];
  const indexOfSource = new Map<string, number>();
  tables.forEach((entry: unknown, index) => {
    const where = `tables[${index}]`;
    if (!isPlainObject(entry)) {
      throw refuse(where, `must be a mapping with a source, not ${kindOf(entry)}.`, tablesHint);
    }
    if (entry['source'] === undefined) throw refuse(where, 'has no source.', tablesHint);
    const source = tableName(entry['source'], `${where}.source`, refuse);
    const named = `${where} (${source})`;
    const target =
      entry['target'] === undefined ? undefined : tableName(entry['target'], `${named}.target`, refuse);
    const earlier = indexOfSource.get(source);
    if (earlier !== undefined) {
      throw refuse(
        where,
        `source '${source}' is already tables[${earlier}].`,
        'List each source table once; to copy one table to two targets, run two plans.',
      );
    }
    indexOfSource.set(source, index);
    const overrides = settings(entry, named, ENTRY_KEYS, refuse);
    entries.push(Object.freeze(target === undefined ? { source, overrides } : { source, target, overrides }));
  });
  return Object.freeze({ defaults, tables: Object.freeze(entries) });
}

type Refuse = (where: string, problem: string, hint: string) => InvalidOptionError;

const NAME_HINT =
  "A table name is 3 to 255 characters of letters, digits, '_', '-' and '.', e.g. source: prod-orders.";

function tableName(value: unknown, where: string, refuse: Refuse): string {
  if (typeof value !== 'string')
    throw refuse(where, `must be a table name, not ${kindOf(value)}.`, NAME_HINT);
  if (!isValidTableName(value)) throw refuse(where, `'${value}' is not a table name.`, NAME_HINT);
  return value;
}

/**
 * The settings of one mapping (`defaults` or a table entry), keyed in camelCase. `ownKeys` are the
 * other keys the mapping may hold (an entry's source and target), skipped here.
 */
function settings(
  mapping: Record<string, unknown>,
  where: string,
  ownKeys: readonly string[],
  refuse: Refuse,
): Readonly<Record<string, string | boolean>> {
  const result: Record<string, string | boolean> = {};
  const spelledAs = new Map<string, string>();
  for (const [key, value] of Object.entries(mapping)) {
    if (ownKeys.includes(key)) continue;
    const flag = SETTING_BY_SPELLING.get(key);
    if (flag === undefined) {
      const allowed = [...ownKeys, ...PLAN_FILE_SETTINGS].join(', ');
      throw refuse(
        where,
        `unknown key '${key}'.`,
        `Allowed keys: ${allowed} (settings may also be written in camelCase, e.g. writeRate).`,
      );
    }
    const at = `${where}.${key}`;
    const earlier = spelledAs.get(flag);
    if (earlier !== undefined) {
      throw refuse(at, `sets '${flag}' again (as '${earlier}' before).`, 'Give each setting once.');
    }
    spelledAs.set(flag, key);
    result[camelCase(flag)] = settingValue(flag, value, at, refuse);
  }
  return Object.freeze(result);
}

/** One setting's value in the type commander would give the flag: a switch's boolean, else a string. */
function settingValue(flag: string, value: unknown, at: string, refuse: Refuse): string | boolean {
  if (BOOLEAN_SETTINGS.includes(flag)) {
    if (typeof value === 'boolean') return value;
    throw refuse(at, `must be true or false, not ${kindOf(value)}.`, `e.g. ${flag}: true`);
  }
  if (flag === 'skip' && Array.isArray(value)) {
    // An empty list is meaningful: in a table entry it skips nothing although the defaults skip something.
    if (value.every((part) => typeof part === 'string')) return value.join(',');
    throw refuse(at, 'must be a list of setting names.', 'e.g. skip: [pitr, ttl] or skip: pitr,ttl');
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && (value.trim() !== '' || flag === 'skip')) return value;
  const kinds = flag === 'skip' ? 'a string or a list of strings' : 'a string or a number';
  // An empty value would silently mean "the default", which is not what a written key intends.
  throw refuse(
    at,
    `must be ${kinds}, not ${typeof value === 'string' ? 'empty' : kindOf(value)}.`,
    `Give it a value, or remove the key.`,
  );
}
