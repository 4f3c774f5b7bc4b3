import { createInterface } from 'node:readline/promises';
import type { CheckpointRecord } from '../index.js';
import type { CliIO } from './io.js';

/** Asks on the terminal before a table is deleted; the user must type the table's name. */
export async function confirmDeletion(
  io: CliIO,
  target: { table: string; region: string; endpoint: string | undefined },
): Promise<boolean> {
  const where = `${target.region}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(
      `The target table '${target.table}' (${where}) exists and will be DELETED with all its items.\nType the table name to confirm: `,
    );
    return answer.trim() === target.table;
  } finally {
    rl.close();
  }
}

/** Asks what to do with an unfinished copy's checkpoint: continue it, or start over. */
export async function chooseResume(
  io: CliIO,
  file: string,
  record: CheckpointRecord,
): Promise<'resume' | 'restart' | undefined> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const written = record.totals.itemsWritten.toLocaleString('en-US');
    const answer = await rl.question(
      `An unfinished copy (${written} items written, last saved ${record.updatedAt}) is recorded in ${file}.\nResume it [r], restart from scratch [s], or quit [q]? `,
    );
    const choice = answer.trim().toLowerCase();
    if (choice === 'r' || choice === 'resume') return 'resume';
    if (choice === 's' || choice === 'restart') return 'restart';
    return undefined;
  } finally {
    rl.close();
  }
}
