/**
 * Step numbers `[n/total]`: the total known from the options before the first step, a stage's steps
 * sharing its number, so a step that turns out not to be needed (no target to delete) skips none.
 */
import { describe, expect, it } from 'vitest';
import { copyStages, type StepName } from '../../src/runs/copy/events.js';
import { EXPORT_STAGES } from '../../src/runs/export/events.js';
import { importStages } from '../../src/runs/import/events.js';
import { stepNumbering } from '../../src/runs/shared/step-numbers.js';

const copy = { dryRun: false, mode: 'recreate' as const, resume: false, verify: false };

describe('stepNumbering', () => {
  it('a new target (create only) and a replaced one (delete, create, settings) take the same numbers', () => {
    const number = stepNumbering(copyStages(copy));
    const created = (['connect', 'describe', 'create', 'copy'] as StepName[]).map(number);
    const replaced = (['connect', 'describe', 'delete', 'create', 'settings', 'copy'] as StepName[]).map(
      number,
    );
    expect(created.map((s) => s.number)).toEqual([1, 2, 3, 4]);
    expect(replaced.map((s) => s.number)).toEqual([1, 2, 3, 3, 3, 4]);
    expect(new Set([...created, ...replaced].map((s) => s.total))).toEqual(new Set([4]));
  });

  it('counts only the stages the options ask for', () => {
    const count = (options: Parameters<typeof copyStages>[0]) => copyStages(options).length;
    expect(count(copy)).toBe(4);
    expect(count({ ...copy, mode: 'data-only' })).toBe(3);
    expect(count({ ...copy, resume: true })).toBe(3);
    expect(count({ ...copy, mode: 'schema-only' })).toBe(3);
    expect(count({ ...copy, verify: true, follow: {} })).toBe(6);
    expect(count({ ...copy, mode: 'data-only', prune: true })).toBe(4);
    expect(count({ ...copy, dryRun: true })).toBe(2);
    // A resume chosen at the prompt keeps the target under the target's number.
    expect(stepNumbering(copyStages(copy))('keep').number).toBe(3);
  });

  it('export and import number their stages the same way', () => {
    const exported = stepNumbering(EXPORT_STAGES);
    expect(
      ['connect', 'describe', 'discard', 'export', 'manifests'].map((s) => exported(s as never).number),
    ).toEqual([1, 2, 3, 3, 4]);
    expect(importStages({}).length).toBe(5);
    expect(importStages({ resume: true }).length).toBe(4);
    expect(stepNumbering(importStages({ resume: true }))('import')).toEqual({ number: 4, total: 4 });
  });
});
