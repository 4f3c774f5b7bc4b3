/**
 * What the run record refuses and how it names itself: a corrupt record (above all an export's part,
 * whose file list a resumed export keeps as final) is a CheckpointError that says what is wrong, never
 * a record half-believed; the default file name; finished records; the writer's failures.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import {
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  CheckpointWriter,
  currentOwner,
  defaultCheckpointPath,
  type ExportRecordPart,
  encodeKey,
  hashOptions,
  ownedByAnotherProcess,
  readCheckpoint,
  recordFinished,
  removeCheckpoint,
} from '../../src/runs/shared/checkpoint.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ddbcopy-checkpoint-checks-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function record(overrides: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return {
    version: CHECKPOINT_VERSION,
    tool: 'ddbcopy',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    owner: { pid: process.pid, host: os.hostname() },
    source: { table: 'a', region: 'eu-west-1', endpoint: null },
    target: { table: 'b', region: 'us-east-1', endpoint: null },
    optionsHash: 'abc',
    phase: 'copying',
    totalSegments: 2,
    keyAttributes: ['pk'],
    segments: [
      { segment: 0, startKey: null, done: false, itemsWritten: 0 },
      { segment: 1, startKey: null, done: true, itemsWritten: 2 },
    ],
    totals: { itemsWritten: 2, bytesWritten: 20, consumedRead: 1, consumedWrite: 2 },
    ...overrides,
  };
}

const FILE_ENTRY = {
  itemCount: 2,
  md5Checksum: 'bWQ1',
  etag: '6d6435',
  dataFileS3Key: 'p/AWSDynamoDB/01234-abcd/data/x.json.gz',
};

function exportPart(overrides: Partial<ExportRecordPart> = {}): ExportRecordPart {
  return {
    location: '/tmp/out',
    exportId: '01234-abcd',
    startTime: '2026-01-01T00:00:00.000Z',
    sealed: [{ segment: 1, files: [FILE_ENTRY] }],
    unsealedKeys: ['p/AWSDynamoDB/01234-abcd/data/y.json.gz'],
    ...overrides,
  };
}

async function readBack(content: unknown): Promise<CheckpointRecord | undefined> {
  const file = path.join(dir, 'record.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return readCheckpoint(file);
}

/** The reason a corrupt record is refused with (the CheckpointError's message names the file and it). */
async function corruption(content: unknown): Promise<string> {
  const file = path.join(dir, 'record.json');
  const error = await rejection(readBack(content), 'expected the record to be refused');
  expect(error).toBeInstanceOf(CheckpointError);
  const { message, hint, cause } = error as CheckpointError;
  expect(hint).toBe(
    'Delete it and run again with --restart (the run is repeatable: items are written again).',
  );
  expect(cause).toBeInstanceOf(Error);
  const prefix = `The checkpoint ${file} is corrupt: `;
  expect(message.startsWith(prefix)).toBe(true);
  expect(message.endsWith('.')).toBe(true);
  expect(message.slice(prefix.length, -1)).toBe((cause as Error).message);
  return (cause as Error).message;
}

/** What `promise` rejects with; a promise that resolves fails the test with `expected`. */
async function rejection(promise: Promise<unknown>, expected: string): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error(expected);
    },
    (error: unknown) => error,
  );
}

describe('readCheckpoint refuses a corrupt record, saying what is wrong', () => {
  it('not a record of this version, or its segment list incomplete', async () => {
    const version = 'not a ddbcopy checkpoint of this version';
    expect(await corruption({ ...record(), tool: 'other' })).toBe(version);
    expect(await corruption({ ...record(), version: 2 })).toBe(version);
    expect(await corruption({ ...record(), segments: 'none' })).toBe(version);
    expect(await corruption({ ...record(), totalSegments: 3 })).toBe('segment list is incomplete');
    expect(await corruption('{"tool":')).toContain('JSON');
  });

  it('reads a record with a well-formed export part', async () => {
    const good = record({ export: exportPart() });
    expect(await readBack(good)).toEqual(good);
    expect(await readBack(record({ export: exportPart({ sealed: [], unsealedKeys: [] }) }))).toBeDefined();
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'x', 'export state is not an object'],
    ['null', null, 'export state is not an object'],
    ['without a location', exportPart({ location: 1 as unknown as string }), 'export location is missing'],
    [
      'without a start time',
      exportPart({ startTime: undefined as unknown as string }),
      'export location is missing',
    ],
    ['with an id that climbs out of its folder', exportPart({ exportId: '../x' }), 'bad export id'],
    ['with an empty id', exportPart({ exportId: '' }), 'bad export id'],
    [
      'with an id that climbs out after a good start',
      exportPart({ exportId: 'abc/../../x' }),
      'bad export id',
    ],
    ['with an id that is not text', exportPart({ exportId: 7 as unknown as string }), 'bad export id'],
    [
      'with unsealed keys that are not a list',
      exportPart({ unsealedKeys: 'k' as unknown as string[] }),
      'unsealed file list is malformed',
    ],
    [
      'with an unsealed key that is not text',
      exportPart({ unsealedKeys: ['k', 3 as unknown as string] }),
      'unsealed file list is malformed',
    ],
    [
      'with sealed segments that are not a list',
      exportPart({ sealed: {} as unknown as ExportRecordPart['sealed'] }),
      'sealed segment list is malformed',
    ],
    [
      'with a sealed segment past the last',
      exportPart({ sealed: [{ segment: 2, files: [] }] }),
      'sealed segment 2 is out of range or repeated',
    ],
    [
      'with a negative sealed segment',
      exportPart({ sealed: [{ segment: -1, files: [] }] }),
      'sealed segment -1 is out of range or repeated',
    ],
    [
      'with a fractional sealed segment',
      exportPart({ sealed: [{ segment: 0.5, files: [] }] }),
      'sealed segment 0.5 is out of range or repeated',
    ],
    [
      'with a sealed segment twice',
      exportPart({
        sealed: [
          { segment: 0, files: [] },
          { segment: 0, files: [] },
        ],
      }),
      'sealed segment 0 is out of range or repeated',
    ],
    [
      'with a null sealed entry',
      exportPart({ sealed: [null as unknown as ExportRecordPart['sealed'][number]] }),
      'sealed segment undefined is out of range or repeated',
    ],
    [
      'with a sealed segment whose files are not a list',
      exportPart({ sealed: [{ segment: 1, files: 'f' as unknown as [] }] }),
      'files of segment 1 are malformed',
    ],
    [
      'with a null file entry',
      exportPart({ sealed: [{ segment: 1, files: [null as unknown as typeof FILE_ENTRY] }] }),
      'a file entry of segment 1 is malformed',
    ],
    [
      'with a fractional item count',
      exportPart({ sealed: [{ segment: 1, files: [{ ...FILE_ENTRY, itemCount: 1.5 }] }] }),
      'a file entry of segment 1 is malformed',
    ],
    [
      'with a negative item count',
      exportPart({ sealed: [{ segment: 1, files: [{ ...FILE_ENTRY, itemCount: -1 }] }] }),
      'a file entry of segment 1 is malformed',
    ],
    [
      'with no MD5',
      exportPart({
        sealed: [{ segment: 1, files: [{ ...FILE_ENTRY, md5Checksum: 1 as unknown as string }] }],
      }),
      'a file entry of segment 1 is malformed',
    ],
    [
      'with no ETag',
      exportPart({ sealed: [{ segment: 1, files: [{ ...FILE_ENTRY, etag: null as unknown as string }] }] }),
      'a file entry of segment 1 is malformed',
    ],
    [
      'with no data file key',
      exportPart({
        sealed: [{ segment: 1, files: [{ ...FILE_ENTRY, dataFileS3Key: undefined as unknown as string }] }],
      }),
      'a file entry of segment 1 is malformed',
    ],
  ])('an export part %s', async (_, part, reason) => {
    expect(await corruption({ ...record(), export: part })).toBe(reason);
  });

  it('accepts a file entry with zero items and a first segment sealed', async () => {
    const part = exportPart({ sealed: [{ segment: 0, files: [{ ...FILE_ENTRY, itemCount: 0 }] }] });
    expect((await readBack(record({ export: part })))?.export).toEqual(part);
  });

  it('checks a follow part too', async () => {
    expect(await corruption({ ...record(), follow: { streamArn: 1 } })).toBe('follow stream is missing');
  });

  it('says why a record cannot be read at all', async () => {
    const error = await readCheckpoint(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointError);
    const { message, cause } = error as CheckpointError;
    expect(cause).toMatchObject({ code: 'EISDIR' });
    expect(message).toBe(`Cannot read the checkpoint ${dir}: ${(cause as Error).message}`);
  });
});

describe('defaultCheckpointPath', () => {
  const source = { table: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders', region: 'eu-west-1' };
  const target = { table: 'orders copy', region: 'us-east-1' };
  const hash = (a: object, b: object): string =>
    createHash('sha256')
      .update(JSON.stringify([a, b]))
      .digest('hex')
      .slice(0, 10);

  it('names the kind and both tables (an ARN by its table name, other characters as _) and hashes the sides', () => {
    const file = defaultCheckpointPath('/d', { source, target, names: [source.table, target.table] });
    expect(file).toBe(path.join('/d', `copy-orders-to-orders_copy-${hash(source, target)}.json`));
    const exported = defaultCheckpointPath('/d', { source, target, names: ['orders', ''] }, 'export');
    expect(exported).toBe(path.join('/d', `export-orders-to-${hash(source, target)}.json`));
  });

  it('is the same with or without --expect-X-account', () => {
    const names: [string, string] = ['a', 'b'];
    expect(defaultCheckpointPath('/d', { source: { ...source, expectAccount: '1' }, target, names })).toBe(
      defaultCheckpointPath('/d', { source, target, names }),
    );
  });
});

describe('record helpers', () => {
  it('hashOptions is the hex SHA-256 of the values as JSON', () => {
    expect(hashOptions({ a: 1 })).toBe(createHash('sha256').update('{"a":1}').digest('hex'));
  });

  it('encodeKey keeps numbers as numbers and refuses other types by name', () => {
    expect(encodeKey({ n: { N: '10.5' } })).toEqual({ n: { N: '10.5' } });
    expect(() => encodeKey({ x: { BOOL: true } } as never)).toThrow(
      new TypeError('key attribute x is not S, N or B'),
    );
  });

  it('recordFinished: completed, and a follow in it caught up', () => {
    expect(recordFinished(record())).toBe(false);
    expect(recordFinished(record({ phase: 'completed' }))).toBe(true);
    const follow = (caughtUp: boolean) => ({ caughtUp }) as unknown as CheckpointRecord['follow'];
    expect(recordFinished(record({ phase: 'completed', follow: follow(true) }))).toBe(true);
    expect(recordFinished(record({ phase: 'completed', follow: follow(false) }))).toBe(false);
    expect(recordFinished(record({ phase: 'copying', follow: follow(true) }))).toBe(false);
  });

  it('ownedByAnotherProcess: a process of another user (EPERM) is alive', () => {
    // The tests run as any user, root included, for whom kill(pid, 0) never answers EPERM: the
    // system call's answer is the only part replaced here.
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    const other = record({ owner: { pid: process.pid + 1, host: os.hostname() } });
    expect(ownedByAnotherProcess(other)).toBe(true);
    expect(ownedByAnotherProcess({ ...other, phase: 'completed' })).toBe(false);
  });

  it('currentOwner is this process on this host', () => {
    expect(currentOwner()).toEqual({ pid: process.pid, host: os.hostname() });
  });

  it('removeCheckpoint deletes the record, and is quiet when there is none', async () => {
    const file = path.join(dir, 'gone.json');
    await writeFile(file, '{}');
    await removeCheckpoint(file);
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await removeCheckpoint(file);
  });
});

describe('CheckpointWriter', () => {
  it('writes the record a function gives, called when it is written', async () => {
    const file = path.join(dir, 'lazy.json');
    const writer = new CheckpointWriter(file);
    const lazy = record({ optionsHash: 'lazy' });
    writer.update(() => lazy);
    await writer.flush();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(lazy);
  });

  it('a failed write is a CheckpointError that names the file and what to do', async () => {
    // A directory where the record's file should be: the rename onto it fails.
    const file = path.join(dir, 'taken');
    await mkdir(path.join(file, 'inside'), { recursive: true });
    const writer = new CheckpointWriter(file);
    writer.update(record());
    const error = await writer.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointError);
    const { message, hint, cause } = error as CheckpointError;
    expect(cause).toBeInstanceOf(Error);
    expect(message).toBe(`Cannot write the checkpoint ${file}: ${(cause as Error).message}`);
    expect(hint).toBe(
      'Check that the directory is writable and the disk is not full, or pass --checkpoint FILE.',
    );
  });
});
