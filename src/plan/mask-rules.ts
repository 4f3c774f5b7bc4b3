/**
 * Masking rules as values: `PATH=RULE` text (from `--mask` or a mask file) parsed into a path and an
 * action, the rules that apply to one table, and the check that refuses rules a table's keys cannot
 * take. Pure: the engine's masker (`engine/copy/masker.ts`) applies what is parsed here.
 *
 * PATH: `a` (a top-level attribute), `a.b.c` (keys of nested maps), `a[*].b` (every element of list
 * `a`, then its map key `b`); a path naming a set applies to every member. Names other than
 * `[A-Za-z0-9_-]+` go in double quotes (`"user.name".first`, `"straße"`), with `\"` for a quote and
 * `\\` for a backslash inside.
 *
 * RULE: `hash` (keyed, deterministic, keeps the type), `redact` (a constant of the same type),
 * `remove`, `null`, `keep` (documents that an attribute is not personal), `fake:KIND` (a realistic
 * string chosen deterministically from the value).
 */
import { InvalidOptionError } from '../errors.js';
import {
  FAKE_KINDS,
  type FakeKind,
  type MaskAction,
  type MaskRule,
  type PathStep,
} from '../model/mask-rule.js';
import { matchesGlob } from './table-selection.js';

// The rule's data shape is the model's (the engine's masker reads it too).
export {
  FAKE_KINDS,
  type FakeKind,
  type MaskAction,
  type MaskRule,
  type PathStep,
} from '../model/mask-rule.js';

/** A mask file: rules for every table, and rules for the tables a name or glob matches. */
export interface MaskFile {
  rules: readonly MaskRule[];
  tables: readonly { table: string; rules: readonly MaskRule[] }[];
}

/** The key attributes of a table and of its indexes, as checkMaskRules needs them. */
export interface KeyAttributes {
  table: readonly { name: string; type: 'S' | 'N' | 'B' }[];
  indexes: readonly { name: string; type: 'S' | 'N' | 'B'; index: string }[];
}

const SYNTAX_HINT =
  'Write PATH=RULE, e.g. email=fake:email, "user.name".first=hash, contacts[*].phone=redact. ' +
  'Names other than A-Z a-z 0-9 _ - go in double quotes ("straße", \\" for a quote). ' +
  `RULE is hash, redact, remove, null, keep or fake:KIND (KIND: ${FAKE_KINDS.join(', ')}).`;
const UNQUOTED = /^[A-Za-z0-9_-]+$/;
const UNQUOTED_CHAR = /[A-Za-z0-9_-]/;
const FILE_KEYS = ['rules', 'tables'];

/** Parses one `PATH=RULE`; `where` names its origin in messages (the flag, or the file and place). */
export function parseMaskRule(text: string, where = '--mask'): MaskRule {
  const trimmed = text.trim();
  const equals = lastEqualsOutsideQuotes(trimmed);
  if (equals === UNCLOSED) throw ruleError(where, trimmed, 'expected PATH=RULE, and a quote is not closed');
  if (equals < 0) throw ruleError(where, trimmed, 'expected PATH=RULE');
  const path = parseMaskPath(trimmed.slice(0, equals).trim(), where, trimmed);
  const action = parseMaskAction(trimmed.slice(equals + 1).trim(), where, trimmed);
  return { path, action, text: trimmed };
}

/**
 * Reads a mask file's parsed JSON: `{ "rules": { PATH: RULE }, "tables": { NAME_OR_GLOB: { PATH: RULE } } }`,
 * both optional, at least one rule in all. Messages name `file` and the place in it.
 */
export function parseMaskFile(value: unknown, file: string): MaskFile {
  if (!isPlainObject(value)) {
    throw new InvalidOptionError(`${file}: expected a JSON object with "rules" and/or "tables".`, {
      hint: '{ "rules": { "email": "fake:email" }, "tables": { "prod-*": { "userId": "hash" } } }',
    });
  }
  for (const key of Object.keys(value)) {
    if (!FILE_KEYS.includes(key)) {
      throw new InvalidOptionError(`${file}: unknown key '${key}' at the top level.`, {
        hint: 'A mask file holds "rules" (for every table) and "tables" (rules per table name or glob).',
      });
    }
  }
  const rules = value['rules'] === undefined ? [] : ruleSection(value['rules'], file, 'rules');
  const tables: { table: string; rules: MaskRule[] }[] = [];
  if (value['tables'] !== undefined) {
    const section = value['tables'];
    if (!isPlainObject(section)) {
      throw new InvalidOptionError(`${file}: "tables" must be an object of table name or glob → rules.`, {
        hint: '"tables": { "users": { "email": "fake:email" }, "prod-*": { "phone": "redact" } }',
      });
    }
    for (const [table, entry] of Object.entries(section)) {
      if (table.trim() === '') {
        throw new InvalidOptionError(`${file}: tables: an empty table name.`, {
          hint: 'Name a table, or a glob with * and ?.',
        });
      }
      tables.push({ table, rules: ruleSection(entry, file, `tables.${JSON.stringify(table)}`) });
    }
  }
  if (rules.length + tables.reduce((sum, entry) => sum + entry.rules.length, 0) === 0) {
    throw new InvalidOptionError(`${file}: the mask file holds no rule.`, {
      hint: 'Add "rules": { "PATH": "RULE" } or "tables": { "TABLE": { "PATH": "RULE" } }.',
    });
  }
  return { rules, tables };
}

/** The file's rules for every table, then those of each `tables` entry whose name or glob matches. */
export function rulesForTable(file: MaskFile, table: string): MaskRule[] {
  const rules = [...file.rules];
  for (const entry of file.tables) if (matchesGlob(table, entry.table)) rules.push(...entry.rules);
  return rules;
}

/**
 * Refuses rules that would break the table: two rules on one path or on paths inside one another; on
 * a table key anything but `hash`, `keep` and `fake:*` (a string key only); on an index key `null`
 * (its type would no longer match) and `fake:*` unless the index key is a string. A key rule must
 * name the key attribute alone. `remove` on an index key is allowed with a warning.
 */
export function checkMaskRules(rules: readonly MaskRule[], keys: KeyAttributes): { warnings: string[] } {
  checkOverlaps(rules);
  const warnings: string[] = [];
  for (const rule of rules) {
    const name = firstName(rule);
    const tableKey = keys.table.find((key) => key.name === name);
    const indexKeys = keys.indexes.filter((key) => key.name === name);
    if (!tableKey && indexKeys.length === 0) continue;
    const type = tableKey?.type ?? indexKeys[0]!.type;
    const action = actionText(rule.action);
    if (rule.path.length > 1) {
      throw new InvalidOptionError(
        `Mask rule '${rule.text}': '${name}' is a key attribute (${type}); a rule on it must name it alone.`,
        { hint: `Write ${formatMaskPath(rule.path.slice(0, 1))}=${action}.` },
      );
    }
    if (tableKey) {
      const { kind } = rule.action;
      if (kind === 'redact' || kind === 'remove' || kind === 'null') {
        const outcome =
          kind === 'redact'
            ? 'would give every item the same key'
            : kind === 'remove'
              ? 'would leave every item without its key'
              : 'would give every item a NULL key, which DynamoDB refuses';
        throw new InvalidOptionError(
          `Mask rule '${rule.text}': '${name}' is the table's key: ${action} ${outcome}; use hash.`,
          { hint: keyHint(name, tableKey.type) },
        );
      }
      if (kind === 'fake' && tableKey.type !== 'S') {
        throw new InvalidOptionError(
          `Mask rule '${rule.text}': '${name}' is the table's key of type ${tableKey.type}: ` +
            `${action} makes a string; use hash (it keeps the type ${tableKey.type}).`,
          { hint: keyHint(name, tableKey.type) },
        );
      }
    }
    for (const key of indexKeys) {
      const { kind } = rule.action;
      if (kind === 'null') {
        throw new InvalidOptionError(
          `Mask rule '${rule.text}': '${name}' is a key of index ${key.index} (type ${key.type}): ` +
            'null does not match the index key type, and DynamoDB refuses the item.',
          { hint: `Use hash or redact (they keep the type), or remove (the item leaves ${key.index}).` },
        );
      }
      if (kind === 'fake' && key.type !== 'S') {
        throw new InvalidOptionError(
          `Mask rule '${rule.text}': '${name}' is a key of index ${key.index} of type ${key.type}: ` +
            `${action} makes a string, which does not match the index key type.`,
          { hint: `Use hash or redact on '${name}': they keep the type ${key.type}.` },
        );
      }
      if (kind === 'remove') {
        warnings.push(
          `Mask rule '${rule.text}': '${name}' is a key of index ${key.index}: ` +
            `every masked item leaves ${key.index}.`,
        );
      }
    }
  }
  return { warnings };
}

/** One line per rule for --dry-run: the path, the rule, and what it means for a key. */
export function describeMaskRules(rules: readonly MaskRule[], keys: KeyAttributes): string[] {
  return rules.map((rule) => {
    const line = `${formatMaskPath(rule.path)}: ${actionText(rule.action)}`;
    if (rule.path.length !== 1) return line;
    const name = firstName(rule);
    const notes: string[] = [];
    const tableKey = keys.table.find((key) => key.name === name);
    if (tableKey) notes.push(`table key: ${keyNote(rule.action, tableKey.type)}`);
    const indexes = keys.indexes.filter((key) => key.name === name).map((key) => key.index);
    if (indexes.length > 0) {
      const which = `key of ${indexes.length === 1 ? 'index' : 'indexes'} ${indexes.join(', ')}`;
      notes.push(rule.action.kind === 'remove' ? `${which}: masked items leave it` : which);
    }
    return notes.length === 0 ? line : `${line} (${notes.join('; ')})`;
  });
}

/** A path as the syntax writes it, names quoted where they need it: `"user.name".first`, `a[*].b`. */
export function formatMaskPath(path: readonly PathStep[]): string {
  let out = '';
  for (const step of path) {
    if (step.kind === 'every') {
      out += '[*]';
      continue;
    }
    if (out !== '') out += '.';
    out += UNQUOTED.test(step.name) ? step.name : `"${step.name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return out;
}

function keyNote(action: MaskAction, type: 'S' | 'N' | 'B'): string {
  if (action.kind === 'hash') return `injective, keeps type ${type}`;
  if (action.kind === 'fake') return 'a unique suffix keeps it injective';
  return 'unchanged';
}

function keyHint(name: string, type: 'S' | 'N' | 'B'): string {
  return type === 'S'
    ? `On a table key use ${name}=hash, ${name}=fake:KIND (made unique) or ${name}=keep.`
    : `On a table key of type ${type} use ${name}=hash (keeps the type) or ${name}=keep.`;
}

function actionText(action: MaskAction): string {
  return action.kind === 'fake' ? `fake:${action.fake}` : action.kind;
}

function firstName(rule: MaskRule): string {
  const first = rule.path[0];
  return first?.kind === 'attribute' ? first.name : '';
}

/** Two rules on one path, or one inside the other (a rule on a map covers all of it): refused. */
function checkOverlaps(rules: readonly MaskRule[]): void {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      const shorter = a.path.length <= b.path.length ? a : b;
      const longer = shorter === a ? b : a;
      if (!shorter.path.every((step, k) => sameStep(step, longer.path[k]!))) continue;
      const path = formatMaskPath(shorter.path);
      if (a.path.length === b.path.length) {
        throw new InvalidOptionError(`Two mask rules on '${path}': '${a.text}' and '${b.text}'.`, {
          hint: 'Keep one. A table gets the mask file\'s "rules" and those of every "tables" entry that matches it.',
        });
      }
      throw new InvalidOptionError(
        `Mask rules '${shorter.text}' and '${longer.text}' overlap: the rule on '${path}' covers everything inside it.`,
        { hint: 'Keep one, or write rules for the parts of it instead.' },
      );
    }
  }
}

function sameStep(a: PathStep, b: PathStep): boolean {
  if (a.kind === 'every' || b.kind === 'every') return a.kind === b.kind;
  return a.name === b.name;
}

/** A rules object of a mask file: `{ PATH: RULE }`, every value a string. */
function ruleSection(value: unknown, file: string, place: string): MaskRule[] {
  if (!isPlainObject(value)) {
    throw new InvalidOptionError(`${file}: ${place} must be an object of PATH → RULE.`, {
      hint: '{ "email": "fake:email", "contacts[*].phone": "redact" }',
    });
  }
  const where = `${file}: ${place}`;
  const rules: MaskRule[] = [];
  for (const [pathText, ruleValue] of Object.entries(value)) {
    const text = `${pathText}=${typeof ruleValue === 'string' ? ruleValue : JSON.stringify(ruleValue)}`;
    if (typeof ruleValue !== 'string') throw ruleError(where, text, 'the rule must be a string');
    const rule: MaskRule = {
      path: parseMaskPath(pathText.trim(), where, text),
      action: parseMaskAction(ruleValue.trim(), where, text),
      text,
    };
    const twin = rules.find((other) => samePath(other.path, rule.path));
    if (twin) throw ruleError(where, text, `'${twin.text}' names the same path`);
    rules.push(rule);
  }
  return rules;
}

function samePath(a: readonly PathStep[], b: readonly PathStep[]): boolean {
  return a.length === b.length && a.every((step, i) => sameStep(step, b[i]!));
}

function parseMaskAction(text: string, where: string, rule: string): MaskAction {
  switch (text) {
    case 'hash':
    case 'redact':
    case 'remove':
    case 'null':
    case 'keep':
      return { kind: text };
  }
  if (text.startsWith('fake:')) {
    const kind = text.slice('fake:'.length);
    if ((FAKE_KINDS as readonly string[]).includes(kind)) return { kind: 'fake', fake: kind as FakeKind };
    throw new InvalidOptionError(`${where} '${rule}': unknown fake kind '${kind}'.`, {
      hint: `Fake kinds: ${FAKE_KINDS.join(', ')}.`,
    });
  }
  throw ruleError(where, rule, text === '' ? 'the rule is missing' : `unknown rule '${text}'`);
}

function parseMaskPath(text: string, where: string, rule: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (problem: string): never => {
    throw ruleError(where, rule, `${problem} in the path '${text}'`);
  };
  if (text === '') fail('no attribute');
  for (;;) {
    // A name: quoted, or a run of unquoted characters.
    if (text[i] === '"') {
      let name = '';
      i += 1;
      for (;;) {
        if (i >= text.length) fail('an unclosed quote');
        const c = text[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const next = text[i + 1];
          if (next !== '"' && next !== '\\') fail(`'\\${next ?? ''}' (only \\" and \\\\ are escapes)`);
          name += next;
          i += 2;
          continue;
        }
        name += c;
        i += 1;
      }
      i += 1;
      if (name === '') fail('an empty name ""');
      steps.push({ kind: 'attribute', name });
    } else {
      const start = i;
      while (i < text.length && UNQUOTED_CHAR.test(text[i]!)) i += 1;
      if (i === start) {
        const found = text[i] === undefined ? 'the end' : `'${text[i]}'`;
        fail(`an attribute name expected at ${found} (position ${i + 1}; quote names with other characters)`);
      }
      steps.push({ kind: 'attribute', name: text.slice(start, i) });
    }
    // After a name: the end, '.', or any number of '[*]'.
    while (text.startsWith('[', i)) {
      if (!text.startsWith('[*]', i))
        fail(`'${text.slice(i, i + 3)}' at position ${i + 1} (only [*] is allowed)`);
      steps.push({ kind: 'every' });
      i += 3;
    }
    if (i === text.length) return steps;
    if (text[i] !== '.') {
      fail(`'${text[i]}' at position ${i + 1} (quote names with characters other than A-Z a-z 0-9 _ -)`);
    }
    i += 1;
  }
}

const UNCLOSED = -2;

/** Where PATH ends: the last '=' outside double quotes; -1 if there is none, UNCLOSED if a quote is open. */
function lastEqualsOutsideQuotes(text: string): number {
  let last = -1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i += 1;
    else if (c === '"') quoted = !quoted;
    else if (c === '=' && !quoted) last = i;
  }
  return quoted ? UNCLOSED : last;
}

function ruleError(where: string, rule: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(`${where} '${rule}': ${problem}.`, { hint: SYNTAX_HINT });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
