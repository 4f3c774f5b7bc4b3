import { setMaxListeners } from 'node:events';

/**
 * Ctrl-C / SIGTERM once: stop gracefully (scanning stops, in-flight writes finish).
 * A second Ctrl-C: leave at once with exit code 130.
 */
export function interruptSignal(onFirst: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  // Every request and back-off sleep of the run listens to it.
  setMaxListeners(0, controller.signal);
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
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
