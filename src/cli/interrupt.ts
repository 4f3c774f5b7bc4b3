import { setMaxListeners } from 'node:events';

/**
 * Ctrl-C / SIGTERM once: stop gracefully (no new request; the ones sent finish; progress is saved).
 * A second Ctrl-C: leave at once with exit code 130, after `onSecond` has said how to go on.
 */
export function interruptSignal(
  onFirst: () => void,
  onSecond?: () => void,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  // Every request and back-off sleep of the run listens to it.
  setMaxListeners(0, controller.signal);
  const handler = (): void => {
    if (controller.signal.aborted) {
      onSecond?.();
      process.exit(130);
      return;
    }
    onFirst();
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
