/**
 * The run record's decisions, without a table: whether a run resumes, starts over or is refused
 * (decideResume), which options make another copy (resultOptionsHash), and what a new or updated
 * record holds. A wrong decision here recreates a target under a half-done copy, or resumes a copy
 * made with other options and leaves a target that matches neither.
 */
import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { parseMaskRule } from '../../src/plan/mask-rules.js';
import { type CopyOptions, validateCopyOptions } from '../../src/runs/copy/options.js';
import {
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  hashOptions,
  storeSegments,
  type TableIdentity,
} from '../../src/runs/shared/checkpoint.js';
import {
  copyRecordOptions,
  decideResume,
  newRecord,
  type RecordContext,
  type RecordOptions,
  resultOptionsHash,
  withProgress,
} from '../../src/runs/shared/run-record.js';
import { CopyStats } from '../../src/runtime/stats.js';

const FILE = '/tmp/records/copy-a-to-b.json';
const SOURCE: TableIdentity = { table: 'a', region: 'eu-west-1', endpoint: null };
const TARGET: TableIdentity = { table: 'b', region: 'us-east-1', endpoint: 'http://localhost:8000' };

function record(overrides: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return {
    version: CHECKPOINT_VERSION,
    tool: 'ddbcopy',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    owner: { pid: process.pid, host: os.hostname() },
    source: SOURCE,
    target: TARGET,
    optionsHash: 'hash-1',
    phase: 'copying',
    totalSegments: 2,
    keyAttributes: ['pk'],
    segments: storeSegments([
      { segment: 0, startKey: { pk: { S: 'x' } }, done: false, itemsWritten: 1 },
      { segment: 1, startKey: undefined, done: true, itemsWritten: 2 },
    ]),
    totals: { itemsWritten: 3, bytesWritten: 30, consumedRead: 1.5, consumedWrite: 3 },
    ...overrides,
  };
}

function context(
  options: Partial<RecordOptions>,
  existing: CheckpointRecord | undefined,
  more: Partial<RecordContext> = {},
): RecordContext {
  return {
    options: {
      checkpoint: FILE,
      resume: false,
      restart: false,
      optionsHash: 'hash-1',
      noun: 'copy',
      ...options,
    },
    existing,
    source: SOURCE,
    target: TARGET,
    ...more,
  };
}

async function refusal(promise: Promise<unknown>): Promise<CheckpointError> {
  // The rejection is taken out first: an assertion inside a catch would be skipped if nothing threw.
  const error = await promise.then(
    () => {
      throw new Error('expected a CheckpointError');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointError;
}

describe('decideResume', () => {
  it('starts afresh when there is no record and no --resume', async () => {
    expect(await decideResume(context({}, undefined))).toEqual({ resume: false });
  });

  it('refuses --resume without a record, naming the file and the run', async () => {
    const error = await refusal(decideResume(context({ resume: true, noun: 'import' }, undefined)));
    expect(error.message).toBe(`There is no checkpoint to resume from at ${FILE}.`);
    expect(error.hint).toBe(
      'Run without --resume to start the import, or pass --checkpoint FILE naming the saved record.',
    );
  });

  it('resumes a record of the same tables and options', async () => {
    const existing = record();
    expect(await decideResume(context({ resume: true }, existing))).toEqual({
      resume: true,
      record: existing,
    });
  });

  it('starts over on a finished record without asking', async () => {
    const choose = vi.fn();
    const decision = await decideResume(context({}, record({ phase: 'completed' }), { choose }));
    expect(decision).toEqual({ resume: false });
    expect(choose).not.toHaveBeenCalled();
  });

  it('treats a completed record whose follow has not caught up as unfinished', async () => {
    const existing = record({
      phase: 'completed',
      follow: { caughtUp: false } as unknown as CheckpointRecord['follow'],
    });
    const error = await refusal(decideResume(context({ noun: 'follow' }, existing)));
    expect(error.message).toBe(`An unfinished follow of these tables is recorded in ${FILE}.`);
  });

  it('starts over on an unfinished record with --restart, without asking and without checking it', async () => {
    const choose = vi.fn();
    const other = record({ source: { ...SOURCE, table: 'elsewhere' }, optionsHash: 'other' });
    expect(await decideResume(context({ restart: true }, other, { choose }))).toEqual({ resume: false });
    expect(choose).not.toHaveBeenCalled();
  });

  it.each([
    [
      'copy',
      'An unfinished copy of these tables',
      'Pass --resume to continue it, or --restart to start over (the target is recreated).',
    ],
    [
      'import',
      'An unfinished import into this table',
      'Pass --resume to continue it, or --restart to start over (the target is recreated).',
    ],
    [
      'export',
      'An unfinished export of this table to this location',
      'Pass --resume to continue it (finished segments are kept), or --restart to start over (the unfinished export is deleted).',
    ],
    [
      'follow',
      'An unfinished follow of these tables',
      'Pass --resume to continue it after the last change it applied, or --restart to start again from --from.',
    ],
  ] as const)(
    'refuses to guess about an unfinished %s record: the message and hint say what to pass',
    async (noun, what, hint) => {
      const error = await refusal(decideResume(context({ noun }, record())));
      expect(error.message).toBe(`${what} is recorded in ${FILE}.`);
      expect(error.hint).toBe(hint);
    },
  );

  it('asks about an unfinished record, and does what the answer says', async () => {
    const existing = record();
    const resume = vi.fn(async () => 'resume' as const);
    expect(await decideResume(context({}, existing, { choose: resume }))).toEqual({
      resume: true,
      record: existing,
    });
    expect(resume).toHaveBeenCalledWith(existing);
    const restart = async () => 'restart' as const;
    expect(await decideResume(context({}, existing, { choose: restart }))).toEqual({ resume: false });
    const noAnswer = async () => undefined;
    const error = await refusal(decideResume(context({}, existing, { choose: noAnswer })));
    expect(error.message).toContain('An unfinished copy of these tables');
  });

  it('checks an answered "resume" like --resume: a record of other tables is refused', async () => {
    const existing = record({ target: { ...TARGET, table: 'c' } });
    await refusal(decideResume(context({}, existing, { choose: async () => 'resume' as const })));
  });

  it('refuses a record that another live process on this host is writing', async () => {
    // The parent (the test runner) is alive and is not this process.
    const existing = record({ owner: { pid: process.ppid, host: os.hostname() } });
    const error = await refusal(decideResume(context({ resume: true, noun: 'export' }, existing)));
    expect(error.message).toBe(
      `Another ddbcopy (pid ${process.ppid}) is running the export recorded in ${FILE}.`,
    );
    expect(error.hint).toBe(
      'Wait for it to finish or stop it first; two runs must not share one checkpoint.',
    );
    // Even with --restart: the other run would keep writing it.
    await refusal(decideResume(context({ restart: true }, existing)));
  });

  it.each<[string, Partial<CheckpointRecord>]>([
    ['source table', { source: { ...SOURCE, table: 'z' } }],
    ['source region', { source: { ...SOURCE, region: 'eu-west-2' } }],
    ['source endpoint', { source: { ...SOURCE, endpoint: 'http://other:8000' } }],
    ['target table', { target: { ...TARGET, table: 'z' } }],
    ['target region', { target: { ...TARGET, region: 'us-east-2' } }],
    ['target endpoint', { target: { ...TARGET, endpoint: null } }],
  ])('refuses to resume a record of another %s', async (_, change) => {
    await refusal(decideResume(context({ resume: true }, record(change))));
  });

  it('names both copies when the tables differ, endpoints included', async () => {
    const existing = record({ source: { table: 'old', region: 'eu-west-3', endpoint: 'http://e:1' } });
    const error = await refusal(decideResume(context({ resume: true }, existing)));
    expect(error.message).toBe(
      `The checkpoint ${FILE} records a copy of 'old' (eu-west-3 at http://e:1) to 'b' (us-east-1 at http://localhost:8000), not of 'a' (eu-west-1) to 'b' (us-east-1 at http://localhost:8000).`,
    );
    expect(error.hint).toBe(
      'Pass the tables, regions and endpoints of that copy, or --restart to start this one over.',
    );
    const exported = await refusal(decideResume(context({ resume: true, noun: 'export' }, existing)));
    expect(exported.message).toContain('records an export of');
    expect(exported.hint).toBe(
      'Pass the table and --out, regions and endpoints of that export, or --restart to start this one over.',
    );
    const imported = await refusal(decideResume(context({ resume: true, noun: 'import' }, existing)));
    expect(imported.message).toContain('records an import of');
    expect(imported.hint).toContain('Pass the export and table, regions');
    const followed = await refusal(decideResume(context({ resume: true, noun: 'follow' }, existing)));
    expect(followed.message).toContain('records a follow of');
    expect(followed.hint).toContain('Pass the tables, regions and endpoints of that follow');
  });

  it('takes an absent endpoint and a null one as the same place', async () => {
    const existing = record({ source: { table: 'a', region: 'eu-west-1' } as TableIdentity });
    expect(await decideResume(context({ resume: true }, existing))).toEqual({
      resume: true,
      record: existing,
    });
  });

  it.each([
    [
      'copy',
      'other copy options (mode, --skip, billing, encryption, --consistent-read, or another filter, masks, mask secret or transform)',
    ],
    ['import', 'other import options (--key) or another export'],
    ['export', 'other export options (--consistent-read)'],
    ['follow', 'other masks, mask secret or transform'],
  ] as const)(
    'refuses to resume a %s made with other options, saying which ones count',
    async (noun, which) => {
      const error = await refusal(
        decideResume(context({ resume: true, noun, optionsHash: 'hash-2' }, record())),
      );
      expect(error.message).toBe(`The checkpoint ${FILE} was made with ${which}.`);
      expect(error.hint).toBe(
        'Resume with the options of the first run, or pass --restart to start over with these.',
      );
    },
  );
});

describe('resultOptionsHash', () => {
  const base = validateCopyOptions({ source: 'a', target: 'b' });
  const hashWith = (change: Partial<CopyOptions>): string => resultOptionsHash({ ...base, ...change });

  it('is the hash of a fixed shape, so a record written by an earlier release still resumes', () => {
    expect(resultOptionsHash(base)).toBe(
      hashOptions({
        mode: 'recreate',
        consistentRead: false,
        billingMode: null,
        readCapacity: null,
        writeCapacity: null,
        sseKmsKeyId: null,
        skip: [],
      }),
    );
  });

  it('changes with every option that changes what the target holds', () => {
    const hashes = [
      resultOptionsHash(base),
      hashWith({ mode: 'data-only' }),
      hashWith({ consistentRead: true }),
      hashWith({ billingMode: 'PROVISIONED' }),
      hashWith({ readCapacity: 5 }),
      hashWith({ writeCapacity: 5 }),
      hashWith({ sseKmsKeyId: 'alias/k' }),
      hashWith({ skip: new Set(['tags'] as const) }),
      hashWith({ filter: { expression: 'a = :a' } as CopyOptions['filter'] }),
      hashWith({ masks: [parseMaskRule('email=redact')] }),
      hashWith({ transform: { module: './t.mjs', onError: 'fail' } }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('takes --schema-only as a recreate (its record is the recreate the items resume into), and --skip in any order', () => {
    expect(hashWith({ mode: 'schema-only' })).toBe(resultOptionsHash(base));
    expect(hashWith({ skip: new Set(['ttl', 'tags'] as const) })).toBe(
      hashWith({ skip: new Set(['tags', 'ttl'] as const) }),
    );
  });

  it('ignores how fast and how wide the copy runs', () => {
    expect(hashWith({ segments: 8, concurrency: 3, workers: 2 })).toBe(resultOptionsHash(base));
  });

  it('is what a copy records, with the copy flags', () => {
    const options = validateCopyOptions({ source: 'a', target: 'b', resume: true, checkpoint: FILE });
    expect(copyRecordOptions(options)).toEqual({
      checkpoint: FILE,
      resume: true,
      restart: false,
      optionsHash: resultOptionsHash(options),
      noun: 'copy',
    });
  });
});

describe('newRecord / withProgress', () => {
  const options: RecordOptions = {
    checkpoint: FILE,
    resume: false,
    restart: false,
    optionsHash: 'h',
    noun: 'copy',
  };

  it('starts every segment at its beginning, owned by this process', () => {
    const fresh = newRecord({ options, source: SOURCE, target: TARGET }, 3, ['pk', 'sk']);
    expect(fresh).toMatchObject({
      version: CHECKPOINT_VERSION,
      tool: 'ddbcopy',
      owner: { pid: process.pid, host: os.hostname() },
      source: SOURCE,
      target: TARGET,
      optionsHash: 'h',
      phase: 'copying',
      totalSegments: 3,
      keyAttributes: ['pk', 'sk'],
      totals: { itemsWritten: 0, bytesWritten: 0, consumedRead: 0, consumedWrite: 0 },
    });
    expect(fresh.segments).toEqual(
      [0, 1, 2].map((segment) => ({ segment, startKey: null, done: false, itemsWritten: 0 })),
    );
    expect(fresh.createdAt).toBe(fresh.updatedAt);
    expect(Date.parse(fresh.createdAt)).not.toBeNaN();
  });

  it('adds this run to the totals of earlier runs, and completes when every segment is done', () => {
    const base = record();
    const stats = new CopyStats();
    stats.bytesWritten = 100;
    stats.consumedRead = 2;
    stats.consumedWrite = 4;
    const states = [
      { segment: 0, startKey: { pk: { S: 'y' } }, done: false, itemsWritten: 5 },
      { segment: 1, startKey: undefined, done: true, itemsWritten: 2 },
    ];
    const partial = withProgress(base, states, stats);
    expect(partial.phase).toBe('copying');
    expect(partial.segments).toEqual(storeSegments(states));
    expect(partial.totals).toEqual({
      itemsWritten: 7,
      bytesWritten: 130,
      consumedRead: 3.5,
      consumedWrite: 7,
    });
    expect(partial.owner).toEqual({ pid: process.pid, host: os.hostname() });
    expect(partial.createdAt).toBe(base.createdAt);
    expect(partial.updatedAt).not.toBe(base.updatedAt);
    const done = withProgress(base, [{ ...states[0]!, done: true }, states[1]!], stats);
    expect(done.phase).toBe('completed');
  });
});
