import type { KindAgentSpec } from './kind-commands.js';

/** The agent's service cannot work now: its sign-in failed, or its credits or usage limit ran out. */
export interface ServiceFailure {
  kind: 'agent_auth' | 'agent_credits';
  /** What happened and how to fix it, for the runtime's `last_error`. */
  message: string;
  /** When runs may start again. */
  pauseUntil: Date;
}

/** How long the pipeline waits after a failed sign-in before it tries again (the operator signs in meanwhile). */
export const AUTH_RETRY_MS = 10 * 60_000;
/** How long the pipeline waits after exhausted credits when the service names no reset time. */
export const CREDITS_DEFAULT_PAUSE_MS = 60 * 60_000;
/** The longest pause a reset time gives: a weekly limit's; a later time is taken for a misreading. */
export const MAX_PAUSE_MS = 7 * 24 * 60 * 60_000;

const AUTH = /invalid api key|please run \/login|not logged in|authentication_error|authentication failed|unauthori[sz]ed|\b401\b|oauth token has expired|log ?in again|codex login/i;
const CREDITS = /credit balance is too low|usage limit|rate limit|hit your (session |weekly )?limit|limit reached|out of (extra )?usage|quota exceeded|insufficient_quota|billing/i;

const LOGIN_FIX: Record<KindAgentSpec['kind'], string> = {
  claude: 'sign in as the worker\'s user (run `claude` and /login, or `claude setup-token`), or set ANTHROPIC_API_KEY in the repo\'s env: in repos.yaml',
  codex: 'sign in as the worker\'s user (`codex login`), or set CODEX_API_KEY in the repo\'s env: in repos.yaml',
};

/** The hour of a `3pm` / `3:05 PM` clock time, in 0-23 with its minutes. */
function clock(hour: string, minute: string | undefined, half: string): { hour: number; minute: number } {
  const h = Number(hour) % 12;
  return { hour: half.toLowerCase() === 'pm' ? h + 12 : h, minute: Number(minute ?? 0) };
}

/** Minutes `timeZone` is ahead of UTC at `at` (0 for an unknown zone). */
function zoneOffsetMinutes(at: Date, timeZone: string): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(at);
    const part = (type: string): number => Number(parts.find((each) => each.type === type)?.value);
    // The parts have no seconds: compare with the minute `at` falls in.
    const minute = Math.floor(at.getTime() / 60_000) * 60_000;
    return Math.round((Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute')) - minute) / 60_000);
  } catch {
    return 0;
  }
}

/** The next time after `now` at which the clock in `timeZone` (the worker's own when undefined) shows `time`. */
function nextClockTime(now: Date, time: { hour: number; minute: number }, timeZone: string | undefined): Date {
  const offset = timeZone === undefined ? -now.getTimezoneOffset() : zoneOffsetMinutes(now, timeZone);
  const local = new Date(now.getTime() + offset * 60_000);
  let at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), time.hour, time.minute) - offset * 60_000;
  if (at <= now.getTime()) at += 24 * 60 * 60_000;
  return new Date(at);
}

/**
 * The reset time a usage-limit message names: Claude Code's
 * `usage limit reached|<epoch seconds>` or `resets [at] 3pm (Europe/Berlin)`,
 * Codex's `"resets_at": <epoch seconds>`, `try again at 3:05 PM` or
 * `try again in 2 hours 5 minutes`; null when it names none.
 */
export function resetTimeOf(message: string, now: Date): Date | null {
  const epoch = /(?:limit reached\||"?resets_at"?\s*[:=]\s*)(\d{9,11})\b/i.exec(message);
  if (epoch !== null) return new Date(Number(epoch[1]) * 1000);
  const at = /(?:resets|reset at|try again at)\s+(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*([ap]m)\b(?:\s*\(([A-Za-z_]+\/[A-Za-z_/+-]+|UTC)\))?/i.exec(message);
  if (at !== null) return nextClockTime(now, clock(at[1]!, at[2], at[3]!), at[4]);
  const inMatch = /try again in\s+((?:\d+\s*(?:days?|hours?|minutes?|mins?|seconds?|secs?)[\s,and]*)+)/i.exec(message);
  if (inMatch !== null) {
    const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
    let ms = 0;
    for (const [, count, unit] of inMatch[1]!.matchAll(/(\d+)\s*([dhms])/gi)) ms += Number(count) * units[unit!.toLowerCase()]!;
    if (ms > 0) return new Date(now.getTime() + ms);
  }
  return null;
}

/**
 * What a failed run of a `kind` agent says about its service, from the
 * stream's error messages and stderr: a failed sign-in, exhausted credits or
 * a usage limit, with when to try again; null for any other failure (then it
 * is the task's failed attempt, as for a command agent).
 */
export function serviceFailure(kind: KindAgentSpec['kind'], messages: readonly string[], now: Date): ServiceFailure | null {
  const credits = messages.find((message) => CREDITS.test(message));
  if (credits !== undefined) {
    const reset = resetTimeOf(credits, now);
    const ahead = reset === null ? 0 : reset.getTime() - now.getTime();
    const pauseUntil = new Date(now.getTime() + (ahead > 0 ? Math.min(ahead, MAX_PAUSE_MS) : CREDITS_DEFAULT_PAUSE_MS));
    const when = reset === null ? `it named no reset time, so runs wait ${CREDITS_DEFAULT_PAUSE_MS / 60_000} minutes` : 'runs resume at its reset time';
    return { kind: 'agent_credits', pauseUntil, message: `${kind} is out of credits or hit its usage limit ("${credits.trim()}"); ${when}, or add credits and restart the runtime` };
  }
  const auth = messages.find((message) => AUTH.test(message));
  if (auth !== undefined) {
    return {
      kind: 'agent_auth',
      pauseUntil: new Date(now.getTime() + AUTH_RETRY_MS),
      message: `${kind} could not sign in ("${auth.trim()}"): ${LOGIN_FIX[kind]}; runs are tried again every ${AUTH_RETRY_MS / 60_000} minutes, or restart the runtime`,
    };
  }
  return null;
}
