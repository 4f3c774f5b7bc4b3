import { describe, expect, it } from 'vitest';
import { InvalidOptionError, RetryBudgetExhaustedError } from '../../src/errors.js';
import { failedOutcome } from '../../src/runs/shared/run-outcome.js';

const summarize = (status: 'failed' | 'interrupted', error: { code: string }) => ({
  status,
  code: error.code,
});

describe('failedOutcome: the one way a run turns a failure into its outcome', () => {
  it('bad input before anything changed keeps exit 2', () => {
    const outcome = failedOutcome(
      new InvalidOptionError('x'),
      { signal: undefined, targetChanged: false },
      summarize,
    );
    expect(outcome).toMatchObject({ exitCode: 2, summary: { status: 'failed', code: 'INVALID_OPTION' } });
  });

  it('bad input noticed after the target changed is a failed run (exit 1)', () => {
    const outcome = failedOutcome(
      new InvalidOptionError('x'),
      { signal: undefined, targetChanged: true },
      summarize,
    );
    expect(outcome.exitCode).toBe(1);
    expect(outcome.summary.status).toBe('failed');
  });

  it('a failure keeps its own exit code', () => {
    const outcome = failedOutcome(
      new RetryBudgetExhaustedError('x'),
      { signal: undefined, targetChanged: false },
      summarize,
    );
    expect(outcome.exitCode).toBe(1);
    expect(outcome.error.code).toBe('RETRY_BUDGET_EXHAUSTED');
  });

  it('anything thrown after a cancel is an interrupt (exit 130)', () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = failedOutcome(
      new Error('socket closed'),
      { signal: controller.signal, targetChanged: true },
      summarize,
    );
    expect(outcome).toMatchObject({ exitCode: 130, summary: { status: 'interrupted', code: 'INTERRUPTED' } });
  });

  it('anything else is a bug and is rethrown as it is', () => {
    const bug = new TypeError('undefined is not a function');
    expect(() => failedOutcome(bug, { signal: undefined, targetChanged: false }, summarize)).toThrow(bug);
  });
});
