import path from 'node:path';
import { InvalidOptionError, type Side } from '../../errors.js';
import type { SideConfig } from '../../model/side-config.js';
import type { PlanFile } from '../../plan/plan-file.js';
import { parseRenameRule, parseTablePatterns, type RenameRule } from '../../plan/table-selection.js';
import {
  type OptionDeclaration,
  positiveInteger,
  type RawOptions,
  resumeFlags,
  sideConfig,
  stringValue,
} from '../copy/options.js';
import { hashOptions } from '../shared/checkpoint.js';

/** The flags that select a set of tables and run it; the same on copy, verify, export and import. */
export const TABLE_SET_DECLARATIONS: readonly OptionDeclaration[] = [
  {
    flag: 'tables',
    value: 'LIST',
    help: "a set of tables: comma-separated names or globs (* and ?) over the source's tables (import: over the export folders under --from), e.g. 'prod-*'",
  },
  {
    flag: 'exclude',
    value: 'GLOB',
    help: 'with --tables: leave out tables matching GLOB (repeatable)',
    repeatable: true,
  },
  {
    flag: 'tables-tagged',
    value: 'KEY=VALUE',
    help: 'with --tables (or alone): only tables carrying this tag',
  },
  {
    flag: 'rename',
    value: 'FROM=TO',
    help: "map source names to target names: prefix form 'prod-=staging-', or '/REGEX/=TO' with $1 (repeatable; first match wins)",
    repeatable: true,
  },
  {
    flag: 'plan',
    value: 'FILE',
    help: 'a plan file (JSON or YAML): table pairs and per-table settings, kept in version control',
  },
  {
    flag: 'parallel-tables',
    value: 'N',
    help: "tables run at the same time (a copy's tables share --concurrency)",
    defaultHelp: 'up to 4, chosen from the set',
  },
  { flag: 'fail-fast', help: 'with a set: stop at the first table that fails (default: the others go on)' },
];

/** What a run over a set of tables takes: how to find the set, and the flags each table's run takes. */
export interface TableSetOptions {
  /** Names and globs over the source's tables (`--tables`), or empty when a plan file lists them. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly tagged: { readonly key: string; readonly value: string } | undefined;
  readonly renames: readonly RenameRule[];
  /** The plan file's content, when `--plan` was given (already read and checked). */
  readonly planFile: PlanFile | undefined;
  readonly planFilePath: string | undefined;
  /** The sides without a table: each pair's table names are filled in. */
  readonly source: Readonly<Omit<SideConfig, 'table'>>;
  readonly target: Readonly<Omit<SideConfig, 'table'>>;
  readonly parallelTables: number | undefined;
  readonly failFast: boolean;
  /** The set's run record: which pairs, and which of them finished. */
  readonly checkpoint: string;
  /** Hash of what selects the set and maps its names: its record is resumed only with the same. */
  readonly selectionHash: string;
  readonly resume: boolean;
  readonly restart: boolean;
  readonly yes: boolean;
  readonly dryRun: boolean;
  /**
   * The command's other flags, as parsed: each pair's own options are validated from these (with the
   * plan file's per-table settings on top), by the same code that validates a one-table run.
   */
  readonly tableFlags: RawOptions;
}

/**
 * True when the flags ask for a set of tables rather than one `--source`/`--target` pair. For
 * `import`, `--rename` alone does too (`import --from DIR --rename prod-=dev-` imports every export
 * folder under DIR).
 */
export function isTableSet(raw: RawOptions, command?: TableSetCommand): boolean {
  if (command === 'import' && listValue(raw.rename).length > 0) return true;
  return raw.tables !== undefined || raw.tablesTagged !== undefined || raw.plan !== undefined;
}

/** The commands that run over a set of tables. */
export type TableSetCommand = 'copy' | 'verify' | 'export' | 'import';

/** Flags that belong to a set only: given with a one-table run, they are refused rather than ignored. */
const SET_ONLY_FLAGS: readonly [string, string][] = [
  ['exclude', '--exclude'],
  ['rename', '--rename'],
  ['parallelTables', '--parallel-tables'],
  ['failFast', '--fail-fast'],
];

/** A one-table run with a set's flags: refused, naming the flag. */
export function refuseSetFlags(raw: RawOptions): void {
  for (const [key, flag] of SET_ONLY_FLAGS) {
    const value = raw[key];
    if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) {
      throw new InvalidOptionError(`${flag} applies to a set of tables.`, {
        hint: `Select the tables with --tables LIST (or --plan FILE), or drop ${flag}.`,
      });
    }
  }
}

/**
 * Checks the set's flags (before any request): the selection, the renames, the sides, and the flags
 * a set cannot take. `planFile` is the plan file already read by the caller (the runs layer reads it).
 */
export function validateTableSetOptions(
  raw: RawOptions,
  command: TableSetCommand,
  planFile?: PlanFile,
): TableSetOptions {
  for (const side of ['source', 'target'] as const) {
    if (stringValue(raw[side]) !== undefined) {
      throw new InvalidOptionError(`--${side} names one table; a set is selected with --tables or --plan.`, {
        hint: `Drop --${side}; map the names with --rename FROM=TO (e.g. --rename prod-=staging-).`,
      });
    }
  }
  for (const [key, flag, why] of [
    ['viaExport', '--via-export', "AWS's export and import jobs run one table at a time"],
    ['workers', '--workers', 'the tables of a set run in parallel instead (--parallel-tables)'],
  ] as const) {
    if (raw[key] !== undefined && raw[key] !== false) {
      throw new InvalidOptionError(`${flag} is not available for a set of tables yet: ${why}.`, {
        hint: `Drop ${flag}, or copy the tables one at a time with --source/--target.`,
      });
    }
  }
  const include = raw.tables !== undefined ? parseTablePatterns(String(raw.tables), 'tables') : [];
  const exclude = listValue(raw.exclude).flatMap((entry) => parseTablePatterns(entry, 'exclude'));
  const tagged = parseTag(raw.tablesTagged);
  if (planFile && (include.length > 0 || tagged)) {
    throw new InvalidOptionError(
      '--plan lists the tables itself; --tables and --tables-tagged cannot be added.',
      {
        hint: 'Put every pair in the plan file, or select with --tables instead of --plan.',
      },
    );
  }
  // --tables-tagged alone selects among every table of the source.
  const selection = include.length > 0 || planFile ? include : ['*'];
  const renames = listValue(raw.rename).map(parseRenameRule);
  refuseForCommand(command, { renames, tagged, planFile });
  const { resume, restart } = resumeFlags(raw);
  const source = sideWithoutTable(raw, 'source');
  const target = sideWithoutTable(raw, 'target');
  // One record per set: the same selection, renames and sides find the same file again.
  const selectionHash = hashOptions({
    command,
    // --expect-X-account guards a side; the same set's record is found with or without it.
    source: { ...source, expectAccount: undefined },
    target: { ...target, expectAccount: undefined },
    selection,
    exclude,
    tagged: tagged ?? null,
    renames: renames.map((rule) => rule.text),
    plan: planFile ?? null,
    // Where an export goes or an import comes from: another location is another set.
    ...(command === 'export' ? { out: stringValue(raw.out) ?? null } : {}),
    ...(command === 'import' ? { from: stringValue(raw.from) ?? null } : {}),
  });
  const checkpoint =
    stringValue(raw.checkpoint) ??
    path.join(path.resolve('.ddbcopy'), `${command}-set-${selectionHash.slice(0, 10)}.json`);
  return Object.freeze({
    include: selection,
    exclude,
    tagged,
    renames,
    planFile,
    planFilePath: stringValue(raw.plan),
    source: Object.freeze(source),
    target: Object.freeze(target),
    parallelTables: positiveInteger(raw.parallelTables, 'parallel-tables', 256),
    failFast: raw.failFast === true,
    checkpoint: path.resolve(checkpoint),
    selectionHash,
    resume,
    restart,
    yes: raw.yes === true,
    dryRun: raw.dryRun === true,
    tableFlags: withoutSetFlags(raw),
  });
}

/**
 * What a command's set cannot take: an export writes each table under its own name (no --rename, no
 * plan-file target); an import selects among export folders, which carry no tags.
 */
export function refuseForCommand(
  command: TableSetCommand,
  set: Pick<TableSetOptions, 'renames' | 'tagged' | 'planFile'>,
): void {
  if (command === 'export') {
    if (set.renames.length > 0) {
      throw new InvalidOptionError(
        '--rename does not apply to export: each table is exported under its own name.',
        {
          hint: 'Drop --rename; export writes DIR/<table>/ for each table, and import --from DIR --rename FROM=TO renames them on the way in.',
        },
      );
    }
    const renamed = set.planFile?.tables.find(
      (entry) => entry.target !== undefined && entry.target !== entry.source,
    );
    if (renamed) {
      throw new InvalidOptionError(
        `The plan file gives '${renamed.source}' the target '${renamed.target}'; export writes each table under its own name.`,
        { hint: 'Drop the targets from the plan file for export (rename on import instead).' },
      );
    }
  }
  if (command === 'import' && set.tagged) {
    throw new InvalidOptionError('--tables-tagged does not apply to import: export folders carry no tags.', {
      hint: 'Select the export folders by name with --tables LIST (globs over the folder names under --from), or tag-select when exporting: export --tables-tagged KEY=VALUE.',
    });
  }
}

/** The flags each pair's own run is validated from: the set's own flags and the checkpoint removed. */
function withoutSetFlags(raw: RawOptions): RawOptions {
  const rest: RawOptions = { ...raw };
  for (const key of [
    'tables',
    'exclude',
    'tablesTagged',
    'rename',
    'plan',
    'parallelTables',
    'failFast',
    'checkpoint',
    'resume',
    'restart',
    'json',
    'progress',
    'logFile',
    'quiet',
    'verbose',
  ]) {
    delete rest[key];
  }
  return rest;
}

function sideWithoutTable(raw: RawOptions, side: Side): Omit<SideConfig, 'table'> {
  const { table: _table, ...config } = sideConfig({ ...raw, [side]: '-' }, side);
  return config;
}

/** `--tables-tagged KEY=VALUE` → { key, value }. */
function parseTag(value: RawOptions[string]): { key: string; value: string } | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const at = text.indexOf('=');
  if (at <= 0) {
    throw new InvalidOptionError(`--tables-tagged must be KEY=VALUE, not '${String(value)}'.`, {
      hint: 'For example --tables-tagged env=production (the tag key, an equals sign, its value).',
    });
  }
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

/** A repeatable flag's values (commander collects them into an array). */
export function listValue(value: RawOptions[string]): string[] {
  if (value === undefined || value === false || value === true) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
