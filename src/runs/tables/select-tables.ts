import { InvalidOptionError } from '../../errors.js';
import { checkPairs, renameTables, selectTables, type TablePair } from '../../plan/table-selection.js';
import { openCatalog, type TableCatalog } from '../../stores/open.js';
import type { RawOptions } from '../copy/options.js';
import type { TableSetOptions } from './options.js';

/** A pair of the set, with the per-table settings a plan file gives it (camelCase flag names). */
export interface SetPair extends TablePair {
  overrides: RawOptions;
}

/**
 * Finds the set: the plan file's pairs, or the source's tables (every ListTables page) filtered by
 * the globs, the exclusions and the tag, then renamed. Refuses (bad input, nothing touched) an empty
 * selection, a glob matching nothing, two sources mapped to one target, and a target that is one of
 * the selected source tables. Only lists and describes.
 */
export async function resolveTableSet(
  options: TableSetOptions,
  signal?: AbortSignal,
): Promise<{ pairs: SetPair[]; warnings: string[] }> {
  const source = await openCatalog({ store: 'dynamodb', side: 'source', config: options.source });
  try {
    const target = await openCatalog({ store: 'dynamodb', side: 'target', config: options.target });
    try {
      const warnings = [...source.warnings, ...target.warnings];
      const pairs = await selectedPairs(source, options, signal);
      if (pairs.length === 0) throw new InvalidOptionError('The set has no tables.');
      checkPairs(pairs, { sameLocation: await source.sameTablesAs(target) });
      return { pairs, warnings };
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
}

/**
 * The set's pairs among one side's tables, unchecked: the plan file's pairs, or the tables (every
 * ListTables page) matching the globs, minus the exclusions, carrying the tag, then renamed. `source`
 * is a side's catalog, or anything that lists names the same way (an import's export folders).
 */
export async function selectedPairs(
  source: Pick<TableCatalog, 'listTables' | 'tablesTagged'>,
  options: TableSetOptions,
  signal?: AbortSignal,
): Promise<SetPair[]> {
  if (options.planFile) {
    const { defaults, tables } = options.planFile;
    return tables.map((entry) => ({
      source: entry.source,
      target: entry.target ?? renameTables([entry.source], options.renames)[0]!.target,
      overrides: { ...defaults, ...entry.overrides },
    }));
  }
  const available = await source.listTables(signal);
  const tagged = options.tagged
    ? {
        tag: `${options.tagged.key}=${options.tagged.value}`,
        names: await source.tablesTagged(
          selectTables({ available, include: options.include, exclude: options.exclude }),
          options.tagged,
          signal,
        ),
      }
    : undefined;
  const names = selectTables({
    available,
    include: options.include,
    exclude: options.exclude,
    ...(tagged ? { tagged } : {}),
  });
  return renameTables(names, options.renames).map((pair) => ({ ...pair, overrides: {} }));
}
