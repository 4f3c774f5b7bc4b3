import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DemoEvent, runDemo } from '../../src/index.js';
import { repoRoot } from '../harness/cli.js';

describe('runDemo (ddbcopy demo as a library run)', () => {
  it('starts its own DynamoDB Local, copies a sample table between two accounts and finds it identical', async () => {
    const events: DemoEvent['type'][] = [];
    const outcome = await runDemo(
      { items: 300, cacheDir: path.join(repoRoot, '.cache', 'dynamodb-local') },
      { onEvent: (event) => events.push(event.type) },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.summary.status).toBe('identical');
    expect(outcome.summary.items).toBe(300);
    // The independent check read every item on both sides.
    expect(outcome.summary.check).toEqual({ sourceItems: 300, targetItems: 300, differences: 0 });
    expect(outcome.summary.copy?.items.written).toBe(300);
    // The stale target was replaced, not written into.
    expect(outcome.summary.copy?.schema.action).toBe('recreated');
    for (const step of [
      'server-starting',
      'seeding',
      'seeded',
      'copy-starting',
      'copy',
      'copied',
      'checking',
    ])
      expect(events, step).toContain(step);
  });

  it('refuses a bad item count before starting anything (exit 2)', async () => {
    const events: DemoEvent['type'][] = [];
    const outcome = await runDemo({ items: 0 }, { onEvent: (event) => events.push(event.type) });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error?.code).toBe('INVALID_OPTION');
    expect(events).toEqual([]);
  });
});
