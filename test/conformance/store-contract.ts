/**
 * The store contract (src/stores/types.ts) as one set of tests that every Source and every Sink must
 * pass, in the manner of rclone's fstests: each store's test file hands `describeSourceContract` and
 * `describeSinkContract` a factory, and the same tests run against it.
 *
 * The tests branch on what a store declares (`Capabilities`), never on its class: a factory declares
 * the capabilities its store has (checked against the instance), and tests of something a store
 * cannot do are skipped on that declaration. Every test has a way to fail; where a check cannot apply
 * to a store, a comment says why it is skipped.
 *
 * Items are the tricky fixtures (38-digit and 1E-130 numbers, binary of every byte, sets, deep nesting,
 * empty strings and binaries, odd attribute names, two items near 400 KB) plus some ordinary ones, in
 * two table shapes (hash S + range N, hash B), and must read back byte-identical (see compare.ts).
 */
import type { CreateTableCommandInput, TableDescription } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { isDdbCopyError } from '../../src/errors.js';
import { checkItem, type KeyTypes } from '../../src/model/item-check.js';
import { itemSize } from '../../src/model/item-size.js';
import type {
  AttributeValue,
  Capabilities,
  Item,
  LateSetting,
  LateSettingKind,
  Page,
  ScanOptions,
  Sink,
  Source,
  TableSnapshot,
} from '../../src/stores/types.js';
import { trickyItems, variedItems } from '../fixtures/items.js';
import { hashOnlyTable, hashRangeTable, keyAttrsOf } from '../fixtures/tables.js';
import { attachedJsonProblems, itemProblems, strictValue } from './compare.js';

/** Something a test opened; closed after the test whatever its outcome. */
export interface Closable {
  close?(): void | Promise<void>;
}

export interface SourceUnderTest extends Closable {
  source: Source;
  /**
   * Ways to send a write with the means the source itself holds (its connection), where it has any.
   * Each must reject with a typed error and change nothing. Absent when the source holds nothing that
   * could write (an in-memory table's read face, files opened for reading).
   */
  writeAttempts?: Record<string, (items: Item[]) => Promise<unknown>>;
}

export interface SourceFactory {
  /** What the store's Source can do; the suite checks the instance says the same. */
  capabilities: Capabilities;
  /** A fresh table (or export) of `definition` holding exactly `items`, read through the store's Source. */
  open(definition: CreateTableCommandInput, items: Item[]): Promise<SourceUnderTest>;
  /** A Source of a table (or export) that does not exist. May itself reject (an export cannot be opened). */
  missing(definition: CreateTableCommandInput): Promise<SourceUnderTest>;
}

export interface SinkUnderTest extends Closable {
  sink: Sink;
  /**
   * Ends writing as a run would (the export writes its manifests and table definition) and opens what
   * was written through the same store's Source.
   */
  readBack(): Promise<SourceUnderTest>;
}

export interface SinkFactory {
  /** What the store's Sink can do; the suite checks the instance says the same. */
  capabilities: Capabilities;
  /**
   * A fresh, empty target. With `table: 'created'` the table exists as `definition`; with `'absent'`
   * it does not. A store without tables (capabilities.schema false) has nothing to create and ignores it.
   */
  open(definition: CreateTableCommandInput, options: { table: 'created' | 'absent' }): Promise<SinkUnderTest>;
}

/** One table shape and the items the suite puts in it. */
export interface ContractCase {
  label: string;
  definition: CreateTableCommandInput;
  items: Item[];
  keyNames: string[];
  keyTypes: KeyTypes;
}

export const TABLE_NAME = 'conformance';

function contractCase(
  label: string,
  definition: CreateTableCommandInput,
  plain: number,
  seed: number,
): ContractCase {
  const keyAttrs = keyAttrsOf(definition);
  const items: Item[] = [...trickyItems(keyAttrs), ...variedItems(plain, seed, keyAttrs)];
  const keyNames = [keyAttrs.pk.name, ...(keyAttrs.sk ? [keyAttrs.sk.name] : [])];
  const keyTypes: Record<string, 'S' | 'N' | 'B'> = { [keyAttrs.pk.name]: keyAttrs.pk.type };
  if (keyAttrs.sk) keyTypes[keyAttrs.sk.name] = keyAttrs.sk.type;
  return { label, definition, items, keyNames, keyTypes };
}

/** The table shapes every store is tested with: number and string keys with a range key, binary hash keys. */
export const CASES: readonly ContractCase[] = [
  contractCase('hash S + range N', hashRangeTable(TABLE_NAME, 'S', 'N'), 50, 101),
  contractCase('hash B', hashOnlyTable(TABLE_NAME, 'B'), 30, 202),
];

/** Segment counts a parallel scan is checked with (one segment is checked for every store). */
const PARALLEL_SEGMENTS = 4;
/** Page size of the resume test: small, so a segment has several pages. */
const RESUME_LIMIT = 5;
const RESUME_SEGMENTS = 3;

const SETTINGS: readonly LateSetting[] = [
  { kind: 'ttl', attributeName: 'expiresAt' },
  { kind: 'pitr' },
  { kind: 'tags', tags: [{ Key: 'suite', Value: 'conformance' }] },
];

/** Closes what a test opened once it ends (pass or fail). */
function tracker(): <T extends Closable>(opened: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    const all = open.splice(0);
    await Promise.allSettled(all.map(async (item) => item.close?.()));
  });
  return (opened) => {
    open.push(opened);
    return opened;
  };
}

/** The error `run` rejects with; fails the test when it resolves. */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but it resolved');
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

/** A bound on a segment's pages: past it, the segment does not end (a lastKey that never goes away). */
function pageBound(items: number, limit?: number): number {
  return Math.ceil(items / (limit ?? 1)) * 2 + 20;
}

/** Every page of one segment, failing once the segment runs past `maxPages`. */
async function readSegment(source: Source, options: ScanOptions, maxPages: number): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of source.scan(options)) {
    pages.push(page);
    if (pages.length > maxPages) {
      throw new Error(
        `segment ${options.segment} of ${options.totalSegments} yielded more than ${maxPages} pages: it never ends`,
      );
    }
  }
  return pages;
}

/** The pages' shape: at least one, items within `limit`, lastKey on every page but the last. */
function pageProblems(pages: readonly Page[], where: string, limit?: number): string[] {
  const problems: string[] = [];
  if (pages.length === 0) return [`${where}: no page at all (the final page, without lastKey, is missing)`];
  pages.forEach((page, index) => {
    const at = `${where} page ${index + 1}/${pages.length}`;
    if (!Array.isArray(page.items)) problems.push(`${at}: items is not an array`);
    else if (limit !== undefined && page.items.length > limit) {
      problems.push(`${at}: ${page.items.length} items, over the limit ${limit}`);
    }
    if (
      typeof page.consumedRead !== 'number' ||
      !Number.isFinite(page.consumedRead) ||
      page.consumedRead < 0
    ) {
      problems.push(`${at}: consumedRead ${String(page.consumedRead)} is not a number >= 0`);
    }
    const last = index === pages.length - 1;
    if (last && page.lastKey !== undefined) problems.push(`${at}: the final page has a lastKey`);
    if (!last) {
      if (page.lastKey === undefined || typeof page.lastKey !== 'object' || page.lastKey === null) {
        problems.push(`${at}: a page before the last has no lastKey`);
      } else if (Object.keys(page.lastKey).length === 0) {
        problems.push(`${at}: lastKey is empty`);
      } else {
        try {
          for (const [name, value] of Object.entries(page.lastKey)) strictValue(value, `lastKey.${name}`);
        } catch (error) {
          problems.push(`${at}: ${describeError(error)}`);
        }
      }
    }
  });
  return problems;
}

interface SegmentRead {
  segment: number;
  pages: Page[];
  items: Item[];
}

/** Every segment of a `totalSegments` scan, read side by side as the engine does. */
async function readAll(
  source: Source,
  totalSegments: number,
  expectedItems: number,
  options: Partial<ScanOptions> = {},
): Promise<SegmentRead[]> {
  return Promise.all(
    Array.from({ length: totalSegments }, async (_, segment) => {
      const pages = await readSegment(
        source,
        { ...options, segment, totalSegments },
        pageBound(expectedItems, options.limit),
      );
      return { segment, pages, items: pages.flatMap((page) => page.items) };
    }),
  );
}

/** Checks a full scan in `totalSegments` segments: well-formed pages, and the union is exactly `expected`. */
async function expectScanOf(
  source: Source,
  c: Pick<ContractCase, 'keyNames'>,
  expected: readonly Item[],
  totalSegments: number,
  options: Partial<ScanOptions> = {},
): Promise<SegmentRead[]> {
  const segments = await readAll(source, totalSegments, expected.length, options);
  const problems = segments.flatMap((read) =>
    pageProblems(read.pages, `segment ${read.segment}/${totalSegments}`, options.limit),
  );
  expect(problems).toEqual([]);
  // Disjoint segments and a complete union: together, every item exactly once (itemProblems is a multiset).
  const all = segments.flatMap((read) => read.items);
  expect(itemProblems(all, expected, c.keyNames)).toEqual([]);
  return segments;
}

interface KeyPart {
  name: string | undefined;
  keyType: string | undefined;
  type: string | undefined;
}

/** Key attribute names, roles and types, in key schema order. */
function keySchemaOf(table: Pick<TableDescription, 'KeySchema' | 'AttributeDefinitions'>): KeyPart[] {
  return (table.KeySchema ?? []).map((element) => ({
    name: element.AttributeName,
    keyType: element.KeyType,
    type: table.AttributeDefinitions?.find((d) => d.AttributeName === element.AttributeName)?.AttributeType,
  }));
}

function expectTableOf(table: TableDescription | undefined, definition: CreateTableCommandInput): void {
  expect(table, 'no table description').toBeDefined();
  expect(table!.TableName).toBe(definition.TableName);
  expect(keySchemaOf(table!)).toEqual(keySchemaOf(definition));
}

/** A snapshot's settings: each either 'unsupported' or of the shape DynamoDB describes it in. */
function settingProblems(snapshot: TableSnapshot): string[] {
  const problems: string[] = [];
  const { timeToLive, continuousBackups, tags } = snapshot;
  if (timeToLive !== 'unsupported' && typeof timeToLive?.TimeToLiveStatus !== 'string') {
    problems.push(`timeToLive is ${JSON.stringify(timeToLive)}`);
  }
  if (continuousBackups !== 'unsupported' && typeof continuousBackups?.ContinuousBackupsStatus !== 'string') {
    problems.push(`continuousBackups is ${JSON.stringify(continuousBackups)}`);
  }
  if (
    tags !== 'unsupported' &&
    !(
      Array.isArray(tags) &&
      tags.every((tag) => typeof tag?.Key === 'string' && typeof tag.Value === 'string')
    )
  ) {
    problems.push(`tags is ${JSON.stringify(tags)}`);
  }
  return problems;
}

/** Whether the snapshot shows the setting applied; undefined when it describes that setting as unsupported. */
function showsApplied(snapshot: TableSnapshot, setting: LateSetting): boolean | undefined {
  switch (setting.kind) {
    case 'ttl': {
      const ttl = snapshot.timeToLive;
      if (ttl === 'unsupported') return undefined;
      return (
        (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING') &&
        ttl.AttributeName === setting.attributeName
      );
    }
    case 'pitr': {
      const backups = snapshot.continuousBackups;
      if (backups === 'unsupported') return undefined;
      return backups.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED';
    }
    case 'tags': {
      const tags = snapshot.tags;
      if (tags === 'unsupported') return undefined;
      return setting.tags.every((want) =>
        tags.some((tag) => tag.Key === want.Key && tag.Value === want.Value),
      );
    }
  }
}

function expectDeclared(actual: Capabilities, declared: Capabilities): void {
  for (const [name, value] of Object.entries(actual)) expect(typeof value, name).toBe('boolean');
  expect({ ...actual }).toEqual(declared);
}

/** Batches of at most 25 items, in varied sizes (25 exactly among them), each tagged with a segment. */
function batchesOf(items: readonly Item[], segments: number): { segment: number; items: Item[] }[] {
  const sizes = [25, 1, 7, 25, 13];
  const batches: { segment: number; items: Item[] }[] = [];
  for (let start = 0, i = 0; start < items.length; i++) {
    const size = sizes[i % sizes.length]!;
    batches.push({ segment: i % segments, items: items.slice(start, start + size) });
    start += size;
  }
  return batches;
}

export function describeSourceContract(name: string, factory: SourceFactory): void {
  describe(`Source contract: ${name}`, () => {
    const track = tracker();

    it('declares the capabilities its factory promises', async () => {
      const c = CASES[0]!;
      const { source } = track(await factory.open(c.definition, c.items.slice(0, 3)));
      expectDeclared(source.capabilities, factory.capabilities);
    });

    it('describing or scanning a table that does not exist is refused with a typed error', async () => {
      const c = CASES[0]!;
      const described = await rejection(async () => {
        const { source } = track(await factory.missing(c.definition));
        await source.describe();
      });
      expect(isDdbCopyError(described), describeError(described)).toBe(true);
      const scanned = await rejection(async () => {
        const { source } = track(await factory.missing(c.definition));
        await readSegment(source, { segment: 0, totalSegments: 1 }, 10);
      });
      expect(isDdbCopyError(scanned), describeError(scanned)).toBe(true);
    });

    it('never writes: no Sink methods, and writes through its own connection are refused', async () => {
      const c = CASES[0]!;
      const opened = track(await factory.open(c.definition, c.items));
      const methods = opened.source as unknown as Record<string, unknown>;
      for (const method of ['writeBatch', 'createTable', 'deleteTable', 'applySetting']) {
        expect(typeof methods[method], method).toBe('undefined');
      }
      // Sources without a connection of their own (an in-memory table's read face, export files opened
      // for reading) have nothing more to try: the structural check above is all that applies.
      for (const [label, attempt] of Object.entries(opened.writeAttempts ?? {})) {
        const intruders = c.items.slice(0, 3).map((item) => ({ ...item, intruder: { S: label } }));
        const error = await rejection(() => attempt(intruders));
        expect(isDdbCopyError(error), `${label}: ${describeError(error)}`).toBe(true);
      }
      await expectScanOf(opened.source, c, c.items, 1);
    });

    it('a scan whose signal is aborted rejects instead of reading the segment', async () => {
      const c = CASES[0]!;
      const { source } = track(await factory.open(c.definition, c.items));
      const controller = new AbortController();
      controller.abort(new Error('aborted by the conformance suite'));
      await rejection(() =>
        readSegment(
          source,
          { segment: 0, totalSegments: 1, signal: controller.signal },
          pageBound(c.items.length),
        ),
      );
    });

    for (const c of CASES) {
      describe(c.label, () => {
        it('describe: the key schema is the one created; settings are well-formed or unsupported', async () => {
          const { source } = track(await factory.open(c.definition, c.items));
          const snapshot = await source.describe();
          expectTableOf(snapshot.table, c.definition);
          expect(settingProblems(snapshot)).toEqual([]);
          // Settings named in `skip` are not read: describing still works, and a skipped setting is
          // 'unsupported' or what the full describe says, never something else.
          const skipped = await source.describe(new Set<LateSettingKind>(['ttl', 'pitr', 'tags']));
          expectTableOf(skipped.table, c.definition);
          expect(settingProblems(skipped)).toEqual([]);
          for (const field of ['timeToLive', 'continuousBackups', 'tags'] as const) {
            if (skipped[field] !== 'unsupported') expect(skipped[field], field).toEqual(snapshot[field]);
          }
        });

        it('one segment yields every item exactly once, byte-identical; the last page has no lastKey', async () => {
          const { source } = track(await factory.open(c.definition, c.items));
          const [read] = await expectScanOf(source, c, c.items, 1);
          expect(attachedJsonProblems(read!.items, c.keyNames)).toEqual([]);
          if (source.capabilities.validItems) {
            // A store that promises valid items: keys of the table's types, each item within 400 KB.
            for (const item of read!.items) checkItem(item, c.keyNames, c.keyTypes, itemSize(item));
          }
        });

        it.skipIf(!factory.capabilities.parallelScan)(
          `${PARALLEL_SEGMENTS} segments are disjoint and together hold every item exactly once`,
          async () => {
            const { source } = track(await factory.open(c.definition, c.items));
            const segments = await expectScanOf(source, c, c.items, PARALLEL_SEGMENTS);
            // A split that puts everything in one segment is no parallel scan.
            expect(segments.filter((read) => read.items.length > 0).length).toBeGreaterThan(1);
          },
        );

        it.skipIf(!factory.capabilities.filter)(
          'a filter yields exactly the matching items; pages count what was read before the filter',
          async () => {
            const { source } = track(await factory.open(c.definition, c.items));
            // Items whose first key attribute's value is below the median: about half.
            const key = c.keyNames[0]!;
            const sorted = c.items.map((item) => item[key]!).sort((a, b) => compareKeyValues(a, b));
            const pivot = sorted[Math.floor(sorted.length / 2)]!;
            const pages = await readSegment(
              source,
              {
                segment: 0,
                totalSegments: 1,
                limit: 7,
                filter: { expression: '#k < :v', names: { '#k': key }, values: { ':v': pivot } },
              },
              pageBound(c.items.length, 7),
            );
            const kept = pages.flatMap((page) => page.items);
            const expected = c.items.filter((item) => compareKeyValues(item[key]!, pivot) < 0);
            expect(kept.length).toBe(expected.length);
            expect(kept.length).toBeGreaterThan(0);
            expect(kept.length).toBeLessThan(c.items.length);
            // Pages count what the Scan read (ScannedCount), which a filter does not shrink.
            expect(pages.reduce((sum, page) => sum + (page.scanned ?? page.items.length), 0)).toBe(
              c.items.length,
            );
          },
        );

        it('resuming a segment from a page’s lastKey yields exactly the items after that page', async () => {
          const { source } = track(await factory.open(c.definition, c.items));
          const totalSegments = source.capabilities.parallelScan ? RESUME_SEGMENTS : 1;
          const segments = await expectScanOf(source, c, c.items, totalSegments, { limit: RESUME_LIMIT });
          // Several pages, or nothing would be resumed.
          expect(
            segments.some((read) => read.pages.filter((page) => page.items.length > 0).length >= 3),
          ).toBe(true);
          let resumed = 0;
          for (const { segment, pages } of segments) {
            for (let index = 0; index < pages.length; index++) {
              const startKey = pages[index]!.lastKey;
              if (!startKey) continue;
              const rest = pages.slice(index + 1).flatMap((page) => page.items);
              const again = await readSegment(
                source,
                { segment, totalSegments, limit: RESUME_LIMIT, startKey: structuredClone(startKey) },
                pageBound(rest.length, RESUME_LIMIT),
              );
              const where = `segment ${segment}/${totalSegments} resumed after page ${index + 1}`;
              expect(pageProblems(again, where, RESUME_LIMIT)).toEqual([]);
              const problems = itemProblems(
                again.flatMap((page) => page.items),
                rest,
                c.keyNames,
              );
              expect(problems, where).toEqual([]);
              resumed += 1;
            }
          }
          expect(resumed).toBeGreaterThan(totalSegments);
        });

        it.skipIf(!factory.capabilities.consistentRead)(
          'a consistent read yields the same items',
          async () => {
            const { source } = track(await factory.open(c.definition, c.items));
            await expectScanOf(source, c, c.items, 1, { consistentRead: true });
          },
        );

        it('an empty table: every segment ends at once with no items', async () => {
          const { source } = track(await factory.open(c.definition, []));
          expectTableOf((await source.describe()).table, c.definition);
          await expectScanOf(source, c, [], 1);
          if (source.capabilities.parallelScan) await expectScanOf(source, c, [], PARALLEL_SEGMENTS);
        });
      });
    }
  });
}

export function describeSinkContract(name: string, factory: SinkFactory): void {
  describe(`Sink contract: ${name}`, () => {
    const track = tracker();
    const first = CASES[0]!;

    it('declares the capabilities its factory promises', async () => {
      const { sink } = track(await factory.open(first.definition, { table: 'created' }));
      expectDeclared(sink.capabilities, factory.capabilities);
    });

    it('applySetting resolves applied or unsupported for every setting; what it applied is described', async () => {
      const opened = track(await factory.open(first.definition, { table: 'created' }));
      const outcomes = new Map<LateSetting, string>();
      for (const setting of SETTINGS) {
        outcomes.set(
          setting,
          await opened.sink.applySetting(setting).then(
            (outcome) => String(outcome),
            (error) => `threw ${describeError(error)}`,
          ),
        );
      }
      for (const [setting, outcome] of outcomes)
        expect(['applied', 'unsupported'], setting.kind).toContain(outcome);
      const { source } = track(await opened.readBack());
      const snapshot = await source.describe();
      expect(settingProblems(snapshot)).toEqual([]);
      for (const [setting, outcome] of outcomes) {
        const shown = showsApplied(snapshot, setting);
        // A store that does not describe the setting cannot show it either way.
        if (shown === undefined) continue;
        expect(shown, `${setting.kind} was ${outcome}`).toBe(outcome === 'applied');
      }
    });

    it.skipIf(!factory.capabilities.schema)(
      'createTable, describe and deleteTable: the table appears with its key schema, takes items, and goes',
      async () => {
        const opened = track(await factory.open(first.definition, { table: 'absent' }));
        const { sink } = opened;
        expect(await sink.describe()).toBeUndefined();
        const created = await sink.createTable(structuredClone(first.definition));
        expectTableOf(created, first.definition);
        expect(created.TableStatus).toBe('ACTIVE');
        expectTableOf(await sink.describe(), first.definition);
        const again = await rejection(() => sink.createTable(structuredClone(first.definition)));
        expect(isDdbCopyError(again), `a second createTable: ${describeError(again)}`).toBe(true);

        const batch = first.items.slice(0, 25);
        await sink.writeBatch(batch, undefined, 0);
        const { source } = track(await opened.readBack());
        await expectScanOf(source, first, batch, 1);

        await sink.deleteTable();
        expect(await sink.describe()).toBeUndefined();
        // Deleting a table that is gone already resolves: it is what was asked for.
        await sink.deleteTable();
      },
    );

    it.skipIf(factory.capabilities.schema)(
      'without schema: no table is described, and createTable and deleteTable are refused with typed errors',
      async () => {
        const { sink } = track(await factory.open(first.definition, { table: 'absent' }));
        expect(await sink.describe()).toBeUndefined();
        const create = await rejection(() => sink.createTable(structuredClone(first.definition)));
        expect(isDdbCopyError(create), describeError(create)).toBe(true);
        const remove = await rejection(() => sink.deleteTable());
        expect(isDdbCopyError(remove), describeError(remove)).toBe(true);
      },
    );

    for (const c of CASES) {
      describe(c.label, () => {
        it('batches of up to 25 (segments side by side) read back exactly; WriteResult is well-formed', async () => {
          const opened = track(await factory.open(c.definition, { table: 'created' }));
          const { sink } = opened;
          if (sink.capabilities.schema) expectTableOf(await sink.describe(), c.definition);
          const batches = batchesOf(c.items, 3);
          const segments = [...new Set(batches.map((batch) => batch.segment))];
          const results = (
            await Promise.all(
              segments.map(async (segment) => {
                const out = [];
                for (const batch of batches.filter((b) => b.segment === segment)) {
                  out.push(await sink.writeBatch(batch.items, undefined, segment));
                }
                return out;
              }),
            )
          ).flat();
          expect(results).toHaveLength(batches.length);
          for (const result of results) {
            expect(typeof result.consumedWrite).toBe('number');
            expect(
              Number.isFinite(result.consumedWrite) && result.consumedWrite >= 0,
              String(result.consumedWrite),
            ).toBe(true);
            expect(typeof result.throttled).toBe('boolean');
          }
          const { source } = track(await opened.readBack());
          expectTableOf((await source.describe()).table, c.definition);
          await expectScanOf(source, c, c.items, 1);
          if (source.capabilities.parallelScan) await expectScanOf(source, c, c.items, PARALLEL_SEGMENTS);
        });

        it('the same key written in two batches: a table keeps the later item, files keep both', async () => {
          const opened = track(await factory.open(c.definition, { table: 'created' }));
          const keys = c.items.slice(0, 6);
          const firstWrite = keys.map((item) => ({
            ...item,
            version: { S: 'first' },
            onlyInFirst: { BOOL: true },
          }));
          const secondWrite = keys.map((item) => ({
            ...item,
            version: { S: 'second' },
            onlyInSecond: { N: '2' },
          }));
          await opened.sink.writeBatch(firstWrite, undefined, 0);
          await opened.sink.writeBatch(secondWrite, undefined, 0);
          const { source } = track(await opened.readBack());
          // A store with tables keys its items: a put replaces the whole item (no merge). A store without
          // (an export's files) keeps every line it was given: both versions, none lost.
          const expected = opened.sink.capabilities.schema ? secondWrite : [...firstWrite, ...secondWrite];
          await expectScanOf(source, c, expected, 1);
        });
      });
    }
  });
}

/** DynamoDB's order of key values: numbers by value, strings and binary by their bytes. */
function compareKeyValues(a: AttributeValue, b: AttributeValue): number {
  if (a.N !== undefined && b.N !== undefined) return Number(a.N) - Number(b.N);
  const bytes = (value: AttributeValue): Buffer =>
    value.S !== undefined
      ? Buffer.from(value.S, 'utf8')
      : Buffer.from(value.B instanceof Uint8Array ? value.B : Buffer.from(String(value.B), 'base64'));
  return Buffer.compare(bytes(a), bytes(b));
}
