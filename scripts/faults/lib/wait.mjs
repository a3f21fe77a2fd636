// Polling with a deadline that only guards against a hang: its expiry is a failure naming what was awaited, never a measurement.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Polls `check` until it returns something other than undefined/false, and resolves with it. */
export async function waitFor(what, check, deadlineMs = 60_000, everyMs = 50) {
  const until = Date.now() + deadlineMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) {
      const why = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

/** Throws `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}
