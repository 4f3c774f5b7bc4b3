/**
 * The library's progress as events (`onEvent`) for export and import, on DynamoDB Local: numbered
 * steps from 1 to a total known at the first one, warnings, and 'copy-started' / 'copy-finished'
 * around the items with the counters a renderer reads (the same as a copy's).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type ExportEvent,
  type ImportEvent,
  progressSnapshot,
  runExport,
  runImport,
} from '../../src/index.js';
import { variedItems } from '../fixtures/items.js';
import { hashRangeTable } from '../fixtures/tables.js';
import { localSideConfig as side } from '../harness/copy-options.js';
import { accountClient, createTableAndWait, newAccount, putItems } from '../harness/local-accounts.js';

const endpoint = inject('ddbEndpoint');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-events-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const KEYS = { pk: { name: 'pk', type: 'S' as const }, sk: { name: 'sk', type: 'N' as const } };

/** The events' steps, numbers and totals, and the item counts 'copy-finished' handed out. */
function expectReported(events: (ExportEvent | ImportEvent)[], total: number, items: number): void {
  const steps = events.filter((event) => event.type === 'step');
  expect(new Set(steps.map((step) => step.total))).toEqual(new Set([total]));
  expect([...new Set(steps.map((step) => step.number))]).toEqual(
    Array.from({ length: total }, (_, i) => i + 1),
  );
  const types = events.map((event) => event.type);
  expect(types.filter((type) => type === 'copy-started')).toHaveLength(1);
  expect(types.indexOf('copy-finished')).toBeGreaterThan(types.indexOf('copy-started'));
  const finished = events.find((event) => event.type === 'copy-finished');
  if (finished?.type !== 'copy-finished') throw new Error('no copy-finished');
  expect(progressSnapshot(finished.stats)).toMatchObject({ itemsDone: items, itemsWritten: items });
}

describe('onEvent for export and import', () => {
  it('numbered steps, warnings and the items progress, as a copy reports them', async () => {
    const account = newAccount(endpoint, 'eu-west-1');
    await createTableAndWait(accountClient(account), hashRangeTable('events', 'S', 'N'));
    await putItems(accountClient(account), 'events', variedItems(120, 3, KEYS));
    const out = path.join(scratch, 'out');

    const exportEvents: ExportEvent[] = [];
    const exported = await runExport(
      { source: side(account, 'events'), out, segments: 2, consistentRead: false },
      { onEvent: (event) => exportEvents.push(event) },
    );
    expect(exported.error).toBeUndefined();
    expectReported(exportEvents, 4, 120);
    expect(exportEvents.filter((event) => event.type === 'warning').map((event) => event.message)).toEqual(
      exported.summary.warnings,
    );

    const importEvents: ImportEvent[] = [];
    const imported = await runImport(
      {
        from: out,
        target: side(account, 'events-copy'),
        yes: true,
        concurrency: undefined,
        checkpoint: path.join(scratch, `import-${randomUUID()}.json`),
      },
      { onEvent: (event) => importEvents.push(event) },
    );
    expect(imported.error).toBeUndefined();
    expectReported(importEvents, 5, 120);
    expect(importEvents.find((event) => event.type === 'step' && event.name === 'create')).toMatchObject({
      number: 4,
    });
  });
});
