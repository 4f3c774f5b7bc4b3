import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRecord } from '../../src/runs/shared/run-record.js';
import { pairCheckpointPath, pairRecords } from '../../src/runs/tables/set-record.js';

describe('pairRecords: whether each pair of a resumed set resumes its own record', () => {
  it('resumes a pair whose own record exists and may be resumed; every other pair starts from scratch', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-set-record-'));
    const setFile = path.join(dir, 'set.json');
    const pairs = [
      { source: 'a', target: 'x-a' },
      { source: 'b', target: 'x-b' },
      { source: 'c', target: 'x-c' },
    ];
    const identity = (table: string) => ({ table, region: 'eu-west-1', endpoint: null });
    for (const pair of [pairs[0]!, pairs[2]!]) {
      const file = pairCheckpointPath(setFile, pair);
      mkdirSync(path.dirname(file), { recursive: true });
      const record = newRecord(
        {
          options: { checkpoint: file, resume: false, restart: false, optionsHash: 'h', noun: 'copy' },
          source: identity(pair.source),
          target: identity(pair.target),
        },
        2,
        ['pk'],
      );
      writeFileSync(file, JSON.stringify(record));
    }
    // Pair c has a record, but is not resumable here (say, a fresh set over an old folder).
    const records = await pairRecords(setFile, pairs, (index) => index !== 2);
    expect(records.map(({ resume, restart }) => ({ resume, restart }))).toEqual([
      { resume: true, restart: false },
      { resume: false, restart: true },
      { resume: false, restart: true },
    ]);
    expect(records[1]!.checkpoint).toBe(pairCheckpointPath(setFile, pairs[1]!));
  });
});
