import { createInterface } from 'node:readline/promises';
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
