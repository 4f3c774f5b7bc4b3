import { afterEach, describe, expect, it, vi } from 'vitest';
import { interruptSignal } from '../../src/cli/interrupt.js';

describe('interruptSignal', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the first Ctrl-C stops gracefully; the second says how to go on, then exits 130 at once', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const said: string[] = [];
    const interrupt = interruptSignal(
      () => said.push('first'),
      () => said.push('second: resume command'),
    );
    try {
      process.emit('SIGINT');
      expect(interrupt.signal.aborted).toBe(true);
      expect(said).toEqual(['first']);
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT');
      expect(said).toEqual(['first', 'second: resume command']);
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      interrupt.dispose();
    }
  });
});
