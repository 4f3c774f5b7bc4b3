import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CheckpointError } from '../../errors.js';
import type { TablePair } from '../../plan/table-selection.js';
import type { RawOptions } from '../copy/options.js';
import { currentOwner, readCheckpoint, recordFinished, writeAtomically } from '../shared/checkpoint.js';
import type { TableSetOptions } from './options.js';
import type { SetPair } from './select-tables.js';
import { DONE_WORD } from './summary.js';

/**
 * The run record of a set of tables: which pairs the set is (fixed at its first run, so a table created
 * since does not join a resumed set), and which of them finished. Each pair's own progress (segments,
 * keys) is in its own one-table record, named here; a finished pair gets no request when the set resumes.
 */
export interface SetRecord {
  tool: 'ddbcopy';
  kind: 'table-set';
  version: typeof SET_RECORD_VERSION;
  command: 'copy' | 'verify' | 'export' | 'import';
  createdAt: string;
  updatedAt: string;
  owner: { pid: number; host: string };
  /** Hash of what selects the set and maps its names: resuming with other flags is refused. */
  selectionHash: string;
  tables: SetRecordEntry[];
}

export interface SetRecordEntry extends TablePair {
  /** The pair's one-table record. */
  checkpoint: string;
  status: 'pending' | 'completed' | 'failed' | 'interrupted';
}

export const SET_RECORD_VERSION = 1;

/** Where pair `pair`'s own record lives: beside the set's record, in a folder named after it. */
export function pairCheckpointPath(setRecordFile: string, pair: TablePair): string {
  const folder = setRecordFile.replace(/\.json$/, '');
  const safe = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(`${folder}.tables`, `${safe(pair.source)}-to-${safe(pair.target)}.json`);
}

export function newSetRecord(
  command: SetRecord['command'],
  selectionHash: string,
  pairs: readonly TablePair[],
  file: string,
): SetRecord {
  const now = new Date().toISOString();
  return {
    tool: 'ddbcopy',
    kind: 'table-set',
    version: SET_RECORD_VERSION,
    command,
    createdAt: now,
    updatedAt: now,
    owner: currentOwner(),
    selectionHash,
    tables: pairs.map((pair) => ({
      source: pair.source,
      target: pair.target,
      checkpoint: pairCheckpointPath(file, pair),
      status: 'pending',
    })),
  };
}

/** Reads a set record; undefined when there is none; CheckpointError when it is not one. */
export async function readSetRecord(file: string): Promise<SetRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CheckpointError(`Cannot read the checkpoint ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const record = JSON.parse(text) as SetRecord;
    if (record.tool !== 'ddbcopy' || record.kind !== 'table-set' || record.version !== SET_RECORD_VERSION) {
      throw new Error('not the record of a set of tables (of this version)');
    }
    if (!Array.isArray(record.tables) || !record.tables.every(isEntry))
      throw new Error('table list is malformed');
    return record;
  } catch (error) {
    throw new CheckpointError(`The checkpoint ${file} is not a set's record: ${(error as Error).message}.`, {
      cause: error,
      hint: 'Pass --checkpoint naming the record of this set, or --restart to start the set over.',
    });
  }
}

function isEntry(entry: SetRecordEntry): boolean {
  return (
    typeof entry?.source === 'string' &&
    typeof entry.target === 'string' &&
    typeof entry.checkpoint === 'string' &&
    ['pending', 'completed', 'failed', 'interrupted'].includes(entry.status)
  );
}

/**
 * Writes the set's record as pairs finish: one write at a time, in order, each durable (temp file,
 * fsync, rename) before the next, so a kill -9 leaves the last finished pair on record.
 */
export class SetRecordWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly record: SetRecord,
  ) {}

  get current(): SetRecord {
    return this.record;
  }

  /** Records a pair's status and writes the record; resolves once it is on disk. */
  mark(index: number, status: SetRecordEntry['status']): Promise<void> {
    const entry = this.record.tables[index];
    if (entry) entry.status = status;
    return this.write();
  }

  write(): Promise<void> {
    this.chain = this.chain.then(() => {
      this.record.updatedAt = new Date().toISOString();
      return writeAtomically(this.file, `${JSON.stringify(this.record, null, 1)}\n`);
    });
    return this.chain;
  }
}

/** The set's record on disk: resumed, refused, or replaced (undefined: a fresh set). */
export async function decideSetRecord(
  options: TableSetOptions,
  command: SetRecord['command'],
): Promise<SetRecord | undefined> {
  const record = await readSetRecord(options.checkpoint);
  if (options.resume) {
    if (!record) {
      throw new CheckpointError(`There is no record of a set to resume at ${options.checkpoint}.`, {
        hint: 'Run without --resume to start the set, or pass --checkpoint FILE naming its record.',
      });
    }
    if (record.command !== command || record.selectionHash !== options.selectionHash) {
      throw new CheckpointError(
        `The checkpoint ${options.checkpoint} records another set (another command, other --tables, --exclude, --rename, --plan, sides or location).`,
        { hint: 'Resume with the flags of the first run, or pass --restart to start this set over.' },
      );
    }
    return record;
  }
  const unfinished = record?.tables.some((entry) => entry.status !== 'completed');
  if (record && unfinished && !options.restart) {
    throw new CheckpointError(`An unfinished ${command} of this set is recorded in ${options.checkpoint}.`, {
      hint: `Pass --resume to continue it (finished tables are not ${DONE_WORD[command]} again), or --restart to start over.`,
    });
  }
  return undefined;
}

/**
 * A resumed set is the pairs its record names (a table created since does not join it), each with the
 * plan file's settings; a pair is done when the record says so, or when its own record completed just
 * before a crash kept the set's record from saying so.
 */
export async function pairsOfRecord(
  record: SetRecord,
  options: TableSetOptions,
): Promise<{ pairs: SetPair[]; doneBefore: ReadonlySet<number> }> {
  const overrides = new Map(
    (options.planFile?.tables ?? []).map((entry) => [
      entry.source,
      { ...options.planFile?.defaults, ...entry.overrides } as RawOptions,
    ]),
  );
  const pairs = record.tables.map((entry) => ({
    source: entry.source,
    target: entry.target,
    overrides: overrides.get(entry.source) ?? {},
  }));
  const doneBefore = new Set<number>();
  for (const [index, entry] of record.tables.entries()) {
    const own = entry.status === 'completed' ? undefined : await readCheckpoint(entry.checkpoint);
    if (entry.status === 'completed' || (own !== undefined && recordFinished(own))) doneBefore.add(index);
  }
  return { pairs, doneBefore };
}

/**
 * Where each pair keeps its own record, and whether it resumes it: a pair of a resumed set resumes when
 * its own unfinished record exists, and otherwise starts (again) from scratch.
 */
export async function pairRecords(
  setRecordFile: string,
  pairs: readonly TablePair[],
  resumable: (index: number) => boolean,
): Promise<{ checkpoint: string; resume: boolean; restart: boolean }[]> {
  const records = [];
  for (const [index, pair] of pairs.entries()) {
    const checkpoint = pairCheckpointPath(setRecordFile, pair);
    const own = resumable(index) ? await readCheckpoint(checkpoint) : undefined;
    records.push({ checkpoint, resume: own !== undefined, restart: own === undefined });
  }
  return records;
}
