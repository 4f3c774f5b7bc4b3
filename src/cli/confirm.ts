import { createInterface } from 'node:readline/promises';
import {
  AbortedByUserError,
  type CheckpointRecord,
  type DeletionQuestion,
  type SetDeletionQuestion,
} from '../index.js';
import type { CliIO } from './io.js';
import { holdsText, identityLines } from './render/side-identity.js';

/**
 * Asks on the terminal before a table is deleted: which table, how much it holds, and who the target
 * side is (account, profile or role, region), so a profile that points at the wrong account is seen
 * before it is too late. The user must type the table's name.
 */
export async function confirmDeletion(io: CliIO, target: DeletionQuestion): Promise<boolean> {
  const where = `${target.region}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
  const size =
    target.items !== undefined ? ` (${holdsText({ items: target.items, bytes: target.bytes ?? 0 })})` : '';
  const heading = target.who
    ? [
        `The target table '${target.table}' exists and will be DELETED with all its items${size}:`,
        ...identityLines(target.who),
      ]
    : [`The target table '${target.table}' (${where}) exists and will be DELETED with all its items${size}.`];
  const answer = await ask(io, `${heading.join('\n')}\nType the table name to confirm: `);
  return answer.trim() === target.table;
}

/**
 * Asks once, on the terminal, before a set's runs delete existing target tables: lists each target
 * once (table, where, items), then the user must type how many tables will be deleted. Nothing to
 * delete asks nothing (true).
 */
export async function confirmSetDeletion(io: CliIO, question: SetDeletionQuestion): Promise<boolean> {
  const seen = new Set<string>();
  const targets = question.targets.filter((target) => {
    const key = JSON.stringify([target.table, target.region, target.endpoint]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const count = targets.length;
  if (count === 0) return true;
  const rows = targets.map((target) => {
    const where = [target.region, target.endpoint ? `at ${target.endpoint}` : null].filter(Boolean).join(' ');
    return [target.table, where || 'default region', `${target.items.toLocaleString('en-US')} items`];
  });
  const nameWidth = Math.max(...rows.map(([table]) => (table ?? '').length));
  const whereWidth = Math.max(...rows.map(([, where]) => (where ?? '').length));
  const list = rows
    .map(([table, where, items]) => `  ${table?.padEnd(nameWidth)}  ${where?.padEnd(whereWidth)}  ${items}`)
    .join('\n');
  const heading =
    count === 1
      ? 'This target table exists and will be DELETED with all its items:'
      : `These ${count} target tables exist and will be DELETED with all their items:`;
  const prompt =
    count === 1 ? 'Type 1 to delete this table: ' : `Type ${count} to delete these ${count} tables: `;
  const who = question.who ? ['on the target side:', ...identityLines(question.who)] : [];
  const answer = await ask(io, [heading, list, ...who, prompt].join('\n'));
  return answer.trim() === String(count);
}

/** Asks what to do with an unfinished copy's checkpoint: continue it, or start over. */
export async function chooseResume(
  io: CliIO,
  file: string,
  record: CheckpointRecord,
): Promise<'resume' | 'restart' | undefined> {
  const written = record.totals.itemsWritten.toLocaleString('en-US');
  const answer = await ask(
    io,
    `An unfinished copy (${written} items written, last saved ${record.updatedAt}) is recorded in ${file}.\nResume it [r], restart from scratch [s], or quit [q]? `,
  );
  const choice = answer.trim().toLowerCase();
  if (choice === 'r' || choice === 'resume') return 'resume';
  if (choice === 's' || choice === 'restart') return 'restart';
  return undefined;
}

/**
 * One question on the terminal. Ctrl-C or Ctrl-D (end of input) at the prompt is the user saying no
 * and leaving: AbortedByUserError (exit 130, "nothing was changed"), never an unexpected error.
 */
async function ask(io: CliIO, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  const aborted = new AbortController();
  rl.on('SIGINT', () => aborted.abort());
  rl.on('close', () => aborted.abort());
  try {
    return await rl.question(question, { signal: aborted.signal });
  } catch (error) {
    if (aborted.signal.aborted || (error as Error)?.name === 'AbortError') {
      io.stderr.write('\n');
      throw new AbortedByUserError('Aborted; nothing was changed.');
    }
    throw error;
  } finally {
    rl.close();
  }
}
