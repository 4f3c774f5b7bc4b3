import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import { binaryBytes } from '../../src/model/binary.js';
import {
  CHECKPOINT_VERSION,
  type CheckpointRecord,
  CheckpointWriter,
  decodeKey,
  encodeKey,
  ownedByAnotherProcess,
  readCheckpoint,
  segmentsOf,
  storeSegments,
} from '../../src/runs/shared/checkpoint.js';
import type { Key } from '../../src/stores/types.js';

// Counts the atomic renames the writer does, i.e. the checkpoint writes.
const fsCalls = vi.hoisted(() => ({ renames: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: (from: string, to: string) => {
      fsCalls.renames += 1;
      return actual.rename(from, to);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ddbcopy-checkpoint-'));
  fsCalls.renames = 0;
});
afterEach(async () => {
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
    target: { table: 'b', region: 'us-east-1', endpoint: 'http://localhost:8000' },
    optionsHash: 'abc',
    phase: 'copying',
    totalSegments: 2,
    keyAttributes: ['pk', 'sk'],
    segments: storeSegments([
      { segment: 0, startKey: { pk: { S: 'x' }, sk: { N: '1' } }, done: false, itemsWritten: 1 },
      { segment: 1, startKey: undefined, done: true, itemsWritten: 2 },
    ]),
    totals: { itemsWritten: 3, bytesWritten: 30, consumedRead: 1.5, consumedWrite: 3 },
    ...overrides,
  };
}

/** A key with every binary value as bytes, whichever form it came in. */
function asBytes(key: Key | undefined): Key | undefined {
  if (!key) return key;
  return Object.fromEntries(
    Object.entries(key).map(([name, value]) => [
      name,
      value.B !== undefined ? { B: binaryBytes(value.B) } : value,
    ]),
  ) as Key;
}

describe('encodeKey / decodeKey', () => {
  const allBytes = new Uint8Array(256).map((_, i) => i);

  it.each<[string, Key]>([
    ['S', { pk: { S: 'ünïcödé 😀 \u0000 "quoted"' } }],
    ['N beyond double precision', { pk: { N: '9007199254740993' } }],
    ['N with 38 digits and a fraction', { pk: { N: '-0.12345678901234567890123456789012345678' } }],
    ['B of every byte value', { pk: { B: allBytes } }],
    ['S hash + B range', { pk: { S: 'a' }, sk: { B: new Uint8Array([0, 0, 0]) } }],
  ])('round-trips %s byte-exact through JSON', (_name, key) => {
    const decoded = decodeKey(JSON.parse(JSON.stringify(encodeKey(key))));
    // Binary comes back as base64 text (how the data path sends keys): the same bytes.
    expect(asBytes(decoded)).toStrictEqual(asBytes(key));
  });

  it('encodes only the bytes a B view covers', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    const encoded = encodeKey({ pk: { B: view } });
    expect(encoded).toEqual({ pk: { B: Buffer.from([1, 2, 3]).toString('base64') } });
    expect(decodeKey(encoded)).toStrictEqual({ pk: { B: 'AQID' } });
  });

  it('maps no key to null and back', () => {
    expect(encodeKey(undefined)).toBeNull();
    expect(decodeKey(null)).toBeUndefined();
  });

  it('refuses attribute types a key cannot have', () => {
    expect(() => encodeKey({ pk: { BOOL: true } })).toThrow(TypeError);
  });

  it('segment states survive storeSegments / segmentsOf', () => {
    const states = [
      { segment: 0, startKey: { pk: { B: new Uint8Array([255, 0]) } }, done: false, itemsWritten: 5 },
      { segment: 1, startKey: undefined, done: true, itemsWritten: 0 },
    ];
    const stored = JSON.parse(JSON.stringify(storeSegments(states)));
    expect(segmentsOf({ ...record(), segments: stored })).toStrictEqual([
      { ...states[0], startKey: { pk: { B: Buffer.from([255, 0]).toString('base64') } } },
      states[1],
    ]);
  });
});

describe('readCheckpoint', () => {
  it('is undefined when there is no file', async () => {
    expect(await readCheckpoint(path.join(dir, 'none.json'))).toBeUndefined();
  });

  it('reads what the writer wrote', async () => {
    const file = path.join(dir, 'ok.json');
    await new CheckpointWriter(file).flush(record());
    expect(await readCheckpoint(file)).toEqual(record());
  });

  it.each([
    ['garbage', 'not json {'],
    ['a truncated record', JSON.stringify(record()).slice(0, 100)],
    ['another tool', JSON.stringify({ ...record(), tool: 'other' })],
    ['another version', JSON.stringify({ ...record(), version: 99 })],
    ['an incomplete segment list', JSON.stringify({ ...record(), totalSegments: 3 })],
    ['null', 'null'],
  ])('throws CheckpointError on %s', async (_name, text) => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, text);
    const failure = readCheckpoint(file);
    await expect(failure).rejects.toThrow(CheckpointError);
    await expect(readCheckpoint(file)).rejects.toMatchObject({ code: 'CHECKPOINT', exitCode: 2 });
  });

  it('throws CheckpointError when the path cannot be read', async () => {
    await expect(readCheckpoint(dir)).rejects.toThrow(CheckpointError);
  });
});

describe('CheckpointWriter', () => {
  it('writes the file with mode 0600, creating its directory', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'run.json');
    await new CheckpointWriter(file).flush(record());
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(record());
  });

  it('coalesces a burst of updates into few writes, the last one winning', async () => {
    const file = path.join(dir, 'burst.json');
    const writer = new CheckpointWriter(file);
    for (let i = 1; i <= 1000; i++) writer.update(record({ updatedAt: `update ${i}` }));
    await writer.flush();
    expect(fsCalls.renames).toBeLessThanOrEqual(2);
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe('update 1000');
  });

  it('never exposes a partial file to concurrent readers', async () => {
    const file = path.join(dir, 'concurrent.json');
    const writer = new CheckpointWriter(file);
    await writer.flush(record({ updatedAt: 'update 0' }));
    fsCalls.renames = 0;

    let writing = true;
    let reads = 0;
    const seen = new Set<string>();
    const reader = async (): Promise<void> => {
      while (writing) {
        const text = await readFile(file, 'utf8');
        // Throws (and fails the test) on a partial or empty file.
        const parsed = JSON.parse(text) as CheckpointRecord;
        expect(parsed.segments).toHaveLength(2);
        seen.add(parsed.updatedAt);
        reads += 1;
      }
    };
    const readers = Array.from({ length: 4 }, reader);
    for (let i = 1; i <= 1000; i++) {
      writer.update(record({ updatedAt: `update ${i}`, keyAttributes: ['pk', 'x'.repeat(i % 500)] }));
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.flush();
    writing = false;
    await Promise.all(readers);

    expect(reads).toBeGreaterThan(10);
    expect(seen.size).toBeGreaterThan(1);
    expect(fsCalls.renames).toBeGreaterThan(0);
    expect(fsCalls.renames).toBeLessThan(500);
    expect(JSON.parse(await readFile(file, 'utf8')).updatedAt).toBe('update 1000');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reports a failed write as CheckpointError on flush', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const writer = new CheckpointWriter(path.join(blocker, 'run.json'));
    await expect(writer.flush(record())).rejects.toThrow(CheckpointError);
    // The failure is reported once.
    await expect(writer.flush()).resolves.toBeUndefined();
  });
});

describe('ownedByAnotherProcess', () => {
  it('is false for this process', () => {
    expect(ownedByAnotherProcess(record())).toBe(false);
  });

  it('is false for a process on another host', () => {
    expect(
      ownedByAnotherProcess(record({ owner: { pid: process.ppid, host: `not-${os.hostname()}` } })),
    ).toBe(false);
  });

  it('is true for another live process on this host while the copy is unfinished', () => {
    const owner = { pid: process.ppid, host: os.hostname() };
    expect(ownedByAnotherProcess(record({ owner }))).toBe(true);
    expect(ownedByAnotherProcess(record({ owner, phase: 'completed' }))).toBe(false);
  });

  it('is false for a process that has exited', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    expect(ownedByAnotherProcess(record({ owner: { pid, host: os.hostname() } }))).toBe(false);
  });
});
