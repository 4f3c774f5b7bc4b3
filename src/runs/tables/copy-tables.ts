import { type DdbCopyError, EXIT } from '../../errors.js';
import { type CopyEstimate, sumEstimates } from '../../plan/cost-estimate.js';
import { Pacer } from '../../runtime/pacer.js';
import { Slots } from '../../runtime/slots.js';
import type { CopyEvent } from '../copy/events.js';
import { type CopyOptions, type RawOptions, validateCopyOptions } from '../copy/options.js';
import { type CopyOutcome, runCopy } from '../copy/run-copy.js';
import type { CopySummary } from '../copy/summary.js';
import { collectWarnings, failedOutcome, type RunOutcome, summaryOrThrow } from '../shared/run-outcome.js';
import { confirmSetDeletions } from './confirm-deletions.js';
import type { TablesEvent } from './events.js';
import type { TableSetOptions } from './options.js';
import { pairError } from './pair-error.js';
import { PLANNING_PARALLELISM, parallelTablesOf, runSet, type SetMember } from './run-set.js';
import { resolveTableSet, type SetPair } from './select-tables.js';
import type { SetDeletionQuestion, TablePlanEntry } from './set-plan.js';
import { decideSetRecord, newSetRecord, pairRecords, pairsOfRecord, SetRecordWriter } from './set-record.js';
import { emptyTablesSummary, type TablesSummary } from './summary.js';

/** What a set's copy tells its caller, asks it (one deletion question for the set), and how it is cancelled. */
export interface CopyTablesHooks {
  /** Told each table's copy events, tagged with its pair, and the set's own (selected, planned, done). */
  onEvent?: (event: TablesEvent<CopyEvent, CopySummary>) => void;
  /** Asked once, listing every target that will be deleted (unless options.yes). */
  confirmDeletion?: (question: SetDeletionQuestion) => Promise<boolean>;
  signal?: AbortSignal;
}

export interface CopyTablesOutcome extends RunOutcome<TablesSummary<CopySummary>> {
  /** Every pair as planned (what --dry-run prints), once the set got that far. */
  plan?: TablePlanEntry[];
  /** With --dry-run: the whole set's capacity units, least time and cost (each pair's is in its plan). */
  estimate?: CopyEstimate;
}

/**
 * Copies a set of tables: select and map the names, plan every pair (a refusal anywhere stops the set
 * before anything is touched), ask once about every target that would be deleted, then copy the pairs
 * a few at a time, sharing one write budget. Never throws for a failure it can explain.
 */
export async function runCopyTables(
  options: TableSetOptions,
  hooks: CopyTablesHooks = {},
): Promise<CopyTablesOutcome> {
  const { warnings, warn } = collectWarnings((message) => hooks.onEvent?.({ type: 'warning', message }));
  let touched = false;
  try {
    const existing = await decideSetRecord(options, 'copy');
    const { pairs, doneBefore } = existing
      ? await pairsOfRecord(existing, options)
      : await freshPairs(options, warn, hooks.signal);
    const members = await membersOf(pairs, doneBefore, existing !== undefined, options);
    // A follow without an end never frees its place: following tables all run at once.
    const parallelTables = options.tableFlags.follow ? pairs.length : parallelTablesOf(options, pairs.length);
    hooks.onEvent?.({ type: 'selected', pairs, parallelTables });

    const planned = await planMembers(members, hooks.signal);
    const refusal = planned.find((p) => p.outcome?.error && refusesTheSet(p.outcome.error));
    const entries = planned.map((p) => planEntry(p.member, p.outcome));
    hooks.onEvent?.({ type: 'planned', entries });
    if (refusal?.outcome?.error) {
      throw pairError(refusal.member.pair, refusal.outcome.error);
    }
    for (const p of planned) members[p.member.index]!.weight = p.outcome?.plan?.estimate.bytes ?? 0;
    if (options.dryRun) {
      return {
        ...plannedOutcome(
          planned.map((p) => p.outcome),
          members,
          options,
          warnings,
        ),
        plan: entries,
        estimate: setEstimate(planned, parallelTables, options.tableFlags),
      };
    }
    const approved = await confirmSetDeletions(entries, {
      yes: options.yes,
      confirm: hooks.confirmDeletion,
      hint: 'Pass --yes to confirm (scripts) or answer the prompt on a terminal; or --data-only to keep the targets.',
    });

    const record = new SetRecordWriter(
      options.checkpoint,
      existing ?? newSetRecord('copy', options.selectionHash, pairs, options.checkpoint),
    );
    // Durable before the first table is touched: a crash from here on is resumable as a set.
    await record.write();
    touched = true;
    const shared = sharedBudgets(options.tableFlags);
    const outcome = await runSet<CopyOptions, CopyEvent, CopySummary>({
      command: 'copy',
      members,
      parallelTables,
      failFast: options.failFast,
      signal: hooks.signal,
      record,
      warnings,
      onEvent: hooks.onEvent,
      runOne: (member, memberHooks) =>
        runCopy(member.options, {
          ...memberHooks,
          shared,
          // Only the targets the user agreed to delete: a table that appeared since is refused.
          confirmDeletion: async (question) => approved.has(question.table),
        }),
      measure: (summary) => ({ items: summary.items.written, bytes: summary.bytes }),
    });
    return { ...outcome, plan: entries };
  } catch (error) {
    return failedOutcome(error, { signal: hooks.signal, targetChanged: touched }, (status, typed) =>
      emptySummary(status, options, warnings, typed),
    );
  }
}

/** The library's entry point for a set: resolves with the summary, throws the typed error when it failed. */
export async function copyTables(
  options: TableSetOptions,
  hooks: CopyTablesHooks = {},
): Promise<TablesSummary<CopySummary>> {
  return summaryOrThrow(await runCopyTables(options, hooks));
}

async function freshPairs(
  options: TableSetOptions,
  warn: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<{ pairs: SetPair[]; doneBefore: ReadonlySet<number> }> {
  const resolved = await resolveTableSet(options, signal);
  for (const message of new Set(resolved.warnings)) warn(message);
  return { pairs: resolved.pairs, doneBefore: new Set() };
}

/** Each pair's own copy options, validated like a one-table copy's (the plan file's settings on top). */
async function membersOf(
  pairs: readonly SetPair[],
  doneBefore: ReadonlySet<number>,
  resuming: boolean,
  options: TableSetOptions,
): Promise<SetMember<CopyOptions>[]> {
  const records = await pairRecords(options.checkpoint, pairs, (index) => resuming && !doneBefore.has(index));
  const members: SetMember<CopyOptions>[] = [];
  for (const [index, pair] of pairs.entries()) {
    const { checkpoint, resume, restart } = records[index]!;
    const raw: RawOptions = {
      ...options.tableFlags,
      ...pair.overrides,
      source: pair.source,
      target: pair.target,
      checkpoint,
      resume,
      restart,
      yes: false,
      dryRun: false,
    };
    let tableOptions: CopyOptions;
    try {
      const validated = validateCopyOptions(raw);
      // The set's sides as given (a library caller's credentials too), with this pair's tables.
      tableOptions = Object.freeze({
        ...validated,
        source: Object.freeze({ ...options.source, table: pair.source }),
        target: Object.freeze({ ...options.target, table: pair.target }),
      });
    } catch (error) {
      throw pairError(pair, error);
    }
    members.push({ index, pair, options: tableOptions, doneBefore: doneBefore.has(index), weight: 0 });
  }
  return members;
}

/** Plans every pair that will run, a few at a time: a dry run of its copy (describes, nothing more). */
async function planMembers(
  members: readonly SetMember<CopyOptions>[],
  signal: AbortSignal | undefined,
): Promise<{ member: SetMember<CopyOptions>; outcome: CopyOutcome | undefined }[]> {
  const results: { member: SetMember<CopyOptions>; outcome: CopyOutcome | undefined }[] = members.map(
    (member) => ({ member, outcome: undefined }),
  );
  const queue = members.filter((member) => !member.doneBefore);
  const lane = async (): Promise<void> => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      const outcome = await runCopy({ ...member.options, dryRun: true }, signal ? { signal } : {});
      results[member.index] = { member, outcome };
      // One refusal of the set is enough: do not describe the rest.
      if (outcome.error && refusesTheSet(outcome.error)) queue.length = 0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PLANNING_PARALLELISM, Math.max(1, queue.length)) }, lane));
  return results;
}

/**
 * Whether a pair's planning failure stops the whole set before anything is touched: the set's input is
 * wrong (a flag, a pair onto its own source, a record, a source table that is not there). A target's
 * own state (deletion protection, a key schema that differs for --data-only, a permission) fails that
 * pair alone when the set runs, as any failure of one table does.
 */
function refusesTheSet(error: DdbCopyError): boolean {
  if (error.exitCode !== EXIT.badInput) return false;
  if (error.code === 'TABLE_NOT_FOUND') return error.side !== 'target';
  return (
    ['INVALID_OPTION', 'SAME_TABLE', 'CHECKPOINT', 'ACCOUNT_MISMATCH'].includes(error.code) ||
    error.side === 'source'
  );
}

function planEntry(member: SetMember<CopyOptions>, outcome: CopyOutcome | undefined): TablePlanEntry {
  const target = outcome?.summary.target ?? { table: member.pair.target, region: null, endpoint: null };
  const existing = outcome?.existingTarget;
  const entry: TablePlanEntry = {
    pair: member.pair,
    action: 'unplannable',
    deletesTarget: outcome?.plan?.deleteTarget === true,
    target,
    estimate: outcome?.plan?.estimate ?? { items: 0, bytes: 0 },
    ...(existing
      ? { existingTarget: { items: existing.ItemCount ?? 0, bytes: existing.TableSizeBytes ?? 0 } }
      : {}),
    ...(outcome?.plan?.sides ? { sides: outcome.plan.sides } : {}),
    warnings: [...(outcome?.plan?.warnings ?? [])],
    ...(outcome?.plan?.masks?.length ? { masks: outcome.plan.masks } : {}),
    ...(outcome?.plan?.filter ? { filter: outcome.plan.filter } : {}),
  };
  if (member.doneBefore) entry.action = 'done-before';
  else if (outcome?.error) entry.error = { ...outcome.summary.error! };
  else if (member.options.resume) entry.action = 'resume';
  else if (member.options.mode !== 'recreate') entry.action = member.options.mode;
  else entry.action = existing ? 'recreate' : 'create';
  if (existing?.DeletionProtectionEnabled && entry.deletesTarget) {
    entry.warnings.push(`'${target.table}' has deletion protection: its copy will fail; the others go on.`);
  }
  return entry;
}

/** The budgets the set's tables share: requests in flight, and a rate given in units for the whole set. */
function sharedBudgets(flags: RawOptions): {
  writeSlots: Slots;
  readPacer?: Pacer;
  writePacer?: Pacer;
} {
  const probe = validateCopyOptions({ ...flags, source: 'set-source', target: 'set-target' });
  return {
    writeSlots: new Slots(probe.concurrency ?? 16),
    ...(probe.readRate?.kind === 'units' ? { readPacer: new Pacer(probe.readRate.units) } : {}),
    ...(probe.writeRate?.kind === 'units' ? { writePacer: new Pacer(probe.writeRate.units) } : {}),
  };
}

/** The pairs' estimates added up, under the lanes and the absolute rates the set shares. */
function setEstimate(
  planned: readonly { outcome?: CopyOutcome | undefined }[],
  parallelTables: number,
  flags: RawOptions,
): CopyEstimate {
  const probe = validateCopyOptions({ ...flags, source: 'set-source', target: 'set-target' });
  return sumEstimates(
    planned.flatMap((p) => (p.outcome?.plan ? [p.outcome.plan.estimate] : [])),
    {
      parallelTables,
      readRate: probe.readRate?.kind === 'units' ? probe.readRate.units : undefined,
      writeRate: probe.writeRate?.kind === 'units' ? probe.writeRate.units : undefined,
    },
  );
}

function plannedOutcome(
  outcomes: readonly (CopyOutcome | undefined)[],
  members: readonly SetMember<CopyOptions>[],
  options: TableSetOptions,
  warnings: string[],
): RunOutcome<TablesSummary<CopySummary>> {
  const summary = emptySummary('planned', options, warnings);
  summary.tables = members.map(
    (member, index) =>
      outcomes[index]?.summary ?? {
        source: { table: member.pair.source },
        target: { table: member.pair.target },
        status: member.doneBefore ? 'done-before' : 'not-started',
      },
  );
  summary.totals.tables = members.length;
  summary.totals.doneBefore = members.filter((m) => m.doneBefore).length;
  return { summary, exitCode: EXIT.ok };
}

function emptySummary(
  status: TablesSummary<CopySummary>['status'],
  options: TableSetOptions,
  warnings: readonly string[],
  error?: DdbCopyError,
): TablesSummary<CopySummary> {
  return emptyTablesSummary('copy', status, options.dryRun ? null : options.checkpoint, warnings, error);
}
