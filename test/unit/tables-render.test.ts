import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { confirmSetDeletion } from '../../src/cli/confirm.js';
import type { CliIO } from '../../src/cli/io.js';
import { createTablesReporter } from '../../src/cli/render/tables-reporter.js';
import { humanTablesPlan, humanTablesSummary, tableResult } from '../../src/cli/render/tables-summary.js';
import { AccessDeniedError } from '../../src/errors.js';
import type { CopyEvent, CopySummary, TablePlanEntry, TablesEvent, TablesSummary } from '../../src/index.js';
import { CopyStats } from '../../src/runtime/stats.js';
import { fakeStream, testOutput } from '../harness/output.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped
const ANSI = /\u001b(?:\[[0-9;?]*[A-Za-z]|[78])/g;

const orders = { source: 'prod-orders', target: 'staging-orders' };
const users = { source: 'prod-users', target: 'staging-users' };
const carts = { source: 'prod-carts', target: 'staging-carts' };
const stock = { source: 'prod-stock', target: 'staging-stock' };

/** The fields of a CopySummary the renderers read. */
function copySummary(
  pair: { source: string; target: string },
  status: 'completed' | 'failed',
  written: number,
  bytes: number,
  durationMs: number,
  error?: string,
) {
  return {
    command: 'copy' as const,
    status,
    source: { table: pair.source, region: 'eu-west-1', endpoint: null },
    target: { table: pair.target, region: 'eu-west-1', endpoint: null },
    items: { scanned: written, written, writtenBefore: 0 },
    bytes,
    durationMs,
    ...(error ? { error: { code: 'ACCESS_DENIED', message: error, hint: null, side: 'target' } } : {}),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createTablesReporter without a terminal', () => {
  it('writes one plain line per change: set, start, end, failure, skip, warnings', () => {
    const out = fakeStream(false);
    const reporter = createTablesReporter(testOutput(out.stream, 'normal'), 'copy');
    reporter.onEvent({ type: 'selected', pairs: [orders, users, carts], parallelTables: 2 });
    reporter.onEvent({ type: 'planned', entries: [] });
    reporter.onEvent({ type: 'table-started', index: 0, pair: orders });
    reporter.onEvent({ type: 'table-event', index: 0, pair: orders, event: { type: 'step', message: 'x' } });
    reporter.onEvent({
      type: 'table-event',
      index: 0,
      pair: orders,
      event: { type: 'warning', message: 'TTL is not copied' },
    });
    reporter.onEvent({
      type: 'table-finished',
      index: 0,
      pair: orders,
      summary: copySummary(orders, 'completed', 5000, 5_120_000, 1200),
    });
    reporter.onEvent({ type: 'table-started', index: 1, pair: users });
    reporter.onEvent({
      type: 'table-finished',
      index: 1,
      pair: users,
      summary: copySummary(users, 'failed', 0, 0, 300, 'not allowed'),
      error: new AccessDeniedError('not allowed to write'),
    });
    reporter.onEvent({ type: 'table-skipped', index: 2, pair: carts, reason: 'done' });
    reporter.onEvent({ type: 'warning', message: 'one set-wide warning' });
    reporter.close();
    reporter.close();
    expect(out.text()).toBe(
      [
        'Copying 3 tables, up to 2 at a time',
        'prod-orders → staging-orders: started',
        'warning: prod-orders → staging-orders: TTL is not copied',
        'prod-orders → staging-orders: completed, 5,000 items, 4.88 MB in 1.2 s',
        'prod-users → staging-users: started',
        'prod-users → staging-users: failed after 300 ms: not allowed to write',
        '- prod-carts → staging-carts: done in an earlier run, not touched',
        'warning: one set-wide warning',
        '',
      ].join('\n'),
    );
  });

  it("takes a copy set's events as the run layer types them", () => {
    const out = fakeStream(false);
    const reporter = createTablesReporter(testOutput(out.stream, 'normal'), 'copy');
    const event: TablesEvent<CopyEvent, CopySummary> = {
      type: 'table-event',
      index: 0,
      pair: orders,
      event: { type: 'warning', message: 'typed' },
    };
    reporter.onEvent(event);
    expect(out.text()).toBe('warning: prod-orders → staging-orders: typed\n');
  });

  it('--quiet keeps warnings and failures; --verbose adds each table step', () => {
    const quiet = fakeStream(false);
    const q = createTablesReporter(testOutput(quiet.stream, 'quiet'), 'export');
    q.onEvent({ type: 'selected', pairs: [orders, users], parallelTables: 1 });
    q.onEvent({ type: 'table-started', index: 0, pair: orders });
    q.onEvent({ type: 'table-event', index: 0, pair: orders, event: { type: 'warning', message: 'w' } });
    q.onEvent({
      type: 'table-finished',
      index: 0,
      pair: orders,
      summary: copySummary(orders, 'completed', 10, 100, 50),
    });
    q.onEvent({ type: 'table-skipped', index: 1, pair: users, reason: 'done' });
    q.onEvent({ type: 'table-started', index: 1, pair: users });
    q.onEvent({
      type: 'table-finished',
      index: 1,
      pair: users,
      summary: { ...copySummary(users, 'failed', 0, 0, 20), status: 'interrupted' },
      error: new AccessDeniedError('stopped'),
    });
    q.close();
    expect(quiet.text()).toBe(
      'warning: prod-orders → staging-orders: w\nprod-users → staging-users: interrupted after 20 ms: stopped\n',
    );

    const verbose = fakeStream(false);
    const v = createTablesReporter(testOutput(verbose.stream, 'verbose'), 'import');
    v.onEvent({ type: 'selected', pairs: [orders], parallelTables: 4 });
    v.onEvent({ type: 'table-started', index: 0, pair: orders });
    v.onEvent({ type: 'table-event', index: 0, pair: orders, event: { type: 'step', message: 'opening' } });
    v.close();
    expect(verbose.text()).toBe(
      'Importing 1 table, up to 4 at a time\nprod-orders → staging-orders: started\nprod-orders → staging-orders: opening\n',
    );
  });

  it('logs a timestamped total line every 5 s while tables are in flight, only when the counts moved', () => {
    vi.useFakeTimers();
    const out = fakeStream(false);
    const reporter = createTablesReporter(testOutput(out.stream, 'normal'), 'copy');
    reporter.onEvent({ type: 'selected', pairs: [orders, users], parallelTables: 2 });
    reporter.onEvent({
      type: 'planned',
      entries: [planEntry(orders, 'create', 1000), planEntry(users, 'create', 3000)],
    });
    reporter.onEvent({ type: 'table-started', index: 0, pair: orders });
    const stats = new CopyStats();
    stats.expectedItems = 1000;
    stats.itemsWritten = 250;
    stats.bytesWritten = 2048;
    reporter.onEvent({ type: 'table-event', index: 0, pair: orders, event: { type: 'copy-started', stats } });
    vi.advanceTimersByTime(4_999);
    expect(out.text()).not.toContain('total');
    vi.advanceTimersByTime(1);
    const lines = out.text().trimEnd().split('\n');
    // 1,000 from the running copy's stats, 3,000 from the plan for the table not started yet.
    expect(lines.at(-1)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ total: 250\/4,000 items \(6%\), 2\.00 KB, [\d,]+ items\/s(, ETA .+)?; 0 done, 0 failed of 2$/,
    );
    // Nothing moved for 10 s (a throttled table): no line says so twice.
    const idle = out.text();
    vi.advanceTimersByTime(10_000);
    expect(out.text()).toBe(idle);
    stats.itemsWritten = 500;
    vi.advanceTimersByTime(5_000);
    expect(out.text().trimEnd().split('\n').at(-1)).toMatch(/Z total: 500\/4,000 items/);
    reporter.onEvent({
      type: 'table-finished',
      index: 0,
      pair: orders,
      summary: copySummary(orders, 'completed', 1000, 8192, 900),
    });
    const before = out.text();
    vi.advanceTimersByTime(20_000);
    expect(out.text()).toBe(before);
    reporter.close();
    expect(out.text()).not.toContain('\u001b');
  });
});

describe('createTablesReporter with --progress json', () => {
  it('sends each table as events and the totals every 2 s, and writes no text', () => {
    vi.useFakeTimers();
    const out = fakeStream(false);
    const reporter = createTablesReporter(testOutput(out.stream, 'normal', { progress: 'json' }), 'copy');
    reporter.onEvent({ type: 'selected', pairs: [orders, users], parallelTables: 2 });
    reporter.onEvent({ type: 'table-started', index: 0, pair: orders });
    const stats = new CopyStats();
    stats.expectedItems = 1000;
    stats.itemsWritten = 250;
    reporter.onEvent({ type: 'table-event', index: 0, pair: orders, event: { type: 'copy-started', stats } });
    reporter.onEvent({
      type: 'table-event',
      index: 0,
      pair: orders,
      event: { type: 'warning', message: 'w' },
    });
    vi.advanceTimersByTime(2_000);
    reporter.onEvent({
      type: 'table-finished',
      index: 0,
      pair: orders,
      summary: copySummary(orders, 'completed', 1000, 8192, 900),
    });
    reporter.close();
    const events = out
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => [event.type, event.event])).toEqual([
      ['step', undefined],
      ['table', 'started'],
      ['warning', undefined],
      ['progress', undefined],
      ['table', 'finished'],
      ['progress', undefined],
    ]);
    expect(events[3]).toMatchObject({ items: 250, tables: { done: 0, running: 1, total: 2 } });
    expect(events[4]).toMatchObject({ source: 'prod-orders', status: 'completed', items: 1000 });
  });
});

describe('createTablesReporter on a terminal', () => {
  it('draws a bar per table in flight and a total bar, and prints each result above them', async () => {
    const out = fakeStream(true);
    const reporter = createTablesReporter(testOutput(out.stream, 'normal'), 'copy');
    try {
      reporter.onEvent({ type: 'selected', pairs: [orders, users], parallelTables: 2 });
      reporter.onEvent({ type: 'table-started', index: 0, pair: orders });
      reporter.onEvent({ type: 'table-started', index: 1, pair: users });
      reporter.onEvent({
        type: 'table-event',
        index: 1,
        pair: users,
        event: { type: 'step', message: 'creating the table' },
      });
      const stats = new CopyStats();
      stats.expectedItems = 1000;
      stats.itemsWritten = 500;
      reporter.onEvent({
        type: 'table-event',
        index: 0,
        pair: orders,
        event: { type: 'copy-started', stats },
      });
      await new Promise((resolve) => setTimeout(resolve, 450));
      const drawn = out.text().replace(ANSI, '');
      expect(out.text()).toContain('\u001b[');
      expect(drawn).toContain('Copying 2 tables, up to 2 at a time\n');
      expect(drawn).toMatch(/prod-orders → staging-orders .* 50% \| 500\/1,000 items \| [\d,]+ items\/s/);
      expect(drawn).toMatch(/prod-users → staging-users +\| creating the table \(/);
      expect(drawn).toMatch(/total .*\| 500 items \| .*\| 0 done, 0 failed of 2/);
      reporter.onEvent({
        type: 'table-finished',
        index: 0,
        pair: orders,
        summary: copySummary(orders, 'completed', 5000, 5_120_000, 1200),
      });
      reporter.onEvent({
        type: 'table-finished',
        index: 1,
        pair: users,
        summary: copySummary(users, 'failed', 0, 0, 300),
        error: new AccessDeniedError('not allowed to write'),
      });
    } finally {
      reporter.close();
      reporter.close();
    }
    const drawn = out.text().replace(ANSI, '');
    expect(drawn).toContain('✓ prod-orders → staging-orders: 5,000 items in 1.2 s\n');
    expect(drawn).toContain('✗ prod-users → staging-users: not allowed to write\n');
    expect(drawn).toMatch(/total .* 100% \| 5,000\/5,000 items \| 4\.88 MB \| .*\| 1 done, 1 failed of 2/);
    // After close nothing redraws.
    const final = out.text();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(out.text()).toBe(final);
  });
});

function planEntry(
  pair: { source: string; target: string },
  action: TablePlanEntry['action'],
  items: number,
  more: Partial<TablePlanEntry> = {},
): TablePlanEntry {
  return {
    pair,
    action,
    deletesTarget: false,
    target: { table: pair.target, region: 'eu-west-1', endpoint: null },
    estimate: { items, bytes: items * 1024 },
    warnings: [],
    ...more,
  };
}

describe('humanTablesSummary', () => {
  const summary: TablesSummary<unknown> = {
    command: 'copy',
    status: 'failed',
    tables: [
      copySummary(orders, 'completed', 5000, 5_120_000, 1200),
      copySummary(users, 'failed', 12, 3000, 300, 'not allowed to write'),
      { source: { table: carts.source }, target: { table: carts.target }, status: 'done-before' },
      { source: { table: stock.source }, target: { table: stock.target }, status: 'not-started' },
    ],
    totals: {
      tables: 4,
      completed: 1,
      failed: 1,
      interrupted: 0,
      doneBefore: 1,
      notStarted: 1,
      items: 5012,
      bytes: 5_123_000,
      durationMs: 1500,
      itemsPerSecond: 3341,
    },
    checkpoint: '.ddbcopy/tables-abc.json',
    warnings: [],
  };

  it('one aligned row per pair, then the totals', () => {
    expect(humanTablesSummary(summary)).toBe(
      [
        'Copy failed',
        '  prod-orders → staging-orders  completed  5,000 items  4.88 MB   1.2 s',
        '  prod-users → staging-users    failed        12 items  2.93 KB  300 ms  not allowed to write',
        '  prod-carts → staging-carts    done before',
        '  prod-stock → staging-stock    not started',
        '4 tables: 1 completed, 1 failed, 1 done before, 1 not started; 5,012 items, 4.89 MB in 1.5 s (3,341 items/s)',
        'Run record: .ddbcopy/tables-abc.json (--resume continues from it)',
      ].join('\n'),
    );
  });

  it('a completed set lists only the counts it has', () => {
    const completed: TablesSummary<unknown> = {
      ...summary,
      status: 'completed',
      tables: [copySummary(orders, 'completed', 100, 1000, 2000)],
      totals: { ...summary.totals, tables: 1, failed: 0, doneBefore: 0, notStarted: 0, items: 100 },
    };
    const text = humanTablesSummary(completed);
    expect(text.split('\n').at(-1)).toBe('1 table: 1 completed; 100 items, 4.89 MB in 1.5 s (3,341 items/s)');
    expect(text).not.toContain('Run record');
  });

  it('reads an export and an import summary by their own fields', () => {
    const exported = tableResult({
      command: 'export',
      status: 'completed',
      source: { table: 'prod-orders', region: null, endpoint: null },
      export: { dir: 'out/AWSDynamoDB/123', exportId: '123', files: 2, bytes: 4096 },
      items: { scanned: 7, written: 7, writtenBefore: 0 },
      durationMs: 10,
    });
    expect(exported).toMatchObject({
      source: 'prod-orders',
      target: 'out',
      items: 7,
      bytes: 4096,
      durationMs: 10,
    });
    const imported = tableResult({
      command: 'import',
      status: 'failed',
      from: { dir: 'out/prod-orders/AWSDynamoDB/123', exportId: '123', files: 2, items: 7 },
      target: { table: 'staging-orders', region: null, endpoint: null },
      items: { written: 3, writtenBefore: 0 },
      durationMs: 20,
      error: { code: 'X', message: 'broken file', hint: null, side: null },
    });
    // The set's folder (DIR/<table>), not the AWS-layout folder inside it.
    expect(imported).toMatchObject({
      source: 'out/prod-orders',
      target: 'staging-orders',
      status: 'failed',
      items: 3,
      bytes: undefined,
      error: 'broken file',
    });
  });
});

describe('humanTablesPlan', () => {
  it('every pair with its action and estimate, then the tables it would delete', () => {
    const entries = [
      planEntry(orders, 'recreate', 5000, {
        deletesTarget: true,
        existingTarget: { items: 4200, bytes: 1 },
        warnings: ['TTL is not copied'],
      }),
      planEntry(users, 'create', 120),
      planEntry(carts, 'done-before', 9),
      planEntry(stock, 'unplannable', 0, {
        error: { code: 'TABLE_NOT_FOUND', message: 'no table prod-stock', hint: null, side: 'source' },
      }),
    ];
    expect(humanTablesPlan(entries)).toBe(
      [
        'Plan (dry run: nothing was changed): 4 tables',
        '  prod-orders → staging-orders  recreate  ~5,000 items   ~4.88 MB',
        '      warning: TTL is not copied',
        '  prod-users → staging-users    create      ~120 items  ~120.0 KB',
        '  prod-carts → staging-carts    done before',
        '  prod-stock → staging-stock    cannot plan: no table prod-stock',
        'Would DELETE 1 existing target table: staging-orders (4,200 items)',
      ].join('\n'),
    );
  });

  it('says so when it deletes no table', () => {
    const text = humanTablesPlan([planEntry(orders, 'data-only', 1), planEntry(users, 'schema-only', 0)]);
    expect(text).toContain('  prod-users → staging-users    schema-only');
    expect(text.split('\n').at(-1)).toBe('Deletes no table.');
    expect(text).not.toContain('DELETE');
  });
});

describe('confirmSetDeletion', () => {
  const question = {
    targets: [
      { table: 'staging-orders', region: 'eu-west-1', endpoint: null, items: 5000, bytes: 1 },
      { table: 'staging-users', region: 'eu-west-1', endpoint: 'http://localhost:8000', items: 12, bytes: 1 },
      { table: 'staging-carts', region: null, endpoint: null, items: 0, bytes: 0 },
      { table: 'staging-orders', region: 'eu-west-1', endpoint: null, items: 5000, bytes: 1 },
    ],
  };

  async function ask(answer: string, q = question): Promise<{ confirmed: boolean; asked: string }> {
    const stdin = new PassThrough();
    const stderr = new PassThrough();
    let asked = '';
    stderr.on('data', (chunk) => {
      asked += String(chunk);
    });
    const io = { stdin, stderr, stdout: new PassThrough() } as unknown as CliIO;
    const pending = confirmSetDeletion(io, q);
    stdin.write(answer);
    const confirmed = await pending;
    await new Promise((resolve) => setImmediate(resolve));
    return { confirmed, asked };
  }

  it('lists each target once and deletes only when the number of tables is typed', async () => {
    const yes = await ask('3\n');
    expect(yes.confirmed).toBe(true);
    expect(yes.asked).toBe(
      [
        'These 3 target tables exist and will be DELETED with all their items:',
        '  staging-orders  eu-west-1                           5,000 items',
        '  staging-users   eu-west-1 at http://localhost:8000  12 items',
        '  staging-carts   default region                      0 items',
        'Type 3 to delete these 3 tables: ',
      ].join('\n'),
    );
    expect((await ask('2\n')).confirmed).toBe(false);
    expect((await ask('yes\n')).confirmed).toBe(false);
  });

  it('asks for 1 with a single table, and nothing when there is none', async () => {
    const one = await ask(' 1 \n', { targets: question.targets.slice(0, 1) });
    expect(one.confirmed).toBe(true);
    expect(one.asked).toContain('Type 1 to delete this table: ');
    const none = await ask('', { targets: [] });
    expect(none).toEqual({ confirmed: true, asked: '' });
  });
});
