/**
 * Waits `ms` milliseconds; resolves `true` when the time is up and `false` at
 * once when `signal` aborts (or has already). Plain timers, not
 * `node:timers/promises`, which would be one more module on every worker's start.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
