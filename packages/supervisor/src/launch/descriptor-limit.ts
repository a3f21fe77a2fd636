import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';

// What the supervisor holds open for itself (node, its log, the two listening ports, the state
// files, API clients), and per repo: the worker's control connection and the kept-alive socket
// of its HTTP probe, plus the moment of a launch (the log file and spawn's own pipe).
const BASE_DESCRIPTORS = 64;
const DESCRIPTORS_PER_REPO = 3;
/** Descriptors kept free for the HTTP API and the probes: launches wait rather than take them. */
export const RESERVED_DESCRIPTORS = 48;

/** The soft limit on open files (RLIMIT_NOFILE) from /proc/self/limits, or null when it cannot be read or is unlimited. */
export function openFileLimit(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
  const line = text.split('\n').find((entry) => entry.startsWith('Max open files'));
  const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : null;
}

/** How many descriptors this process has open (from /proc/self/fd), or null without /proc. */
export function openDescriptors(): number | null {
  try {
    // One of them is the folder being read.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/** The open-file limit a supervisor of `repos` repos needs. */
export function descriptorsNeeded(repos: number): number {
  return BASE_DESCRIPTORS + DESCRIPTORS_PER_REPO * repos;
}

/** True unless launching another worker would eat into the descriptors kept for the API and the probes. */
export function hasDescriptorRoom(): boolean {
  const limit = openFileLimit();
  const open = openDescriptors();
  return limit === null || open === null || open + DESCRIPTORS_PER_REPO + RESERVED_DESCRIPTORS <= limit;
}

/** Warns, with the number needed and how to raise it, when the open-file limit is too low for `repos` repos. */
export function warnOnDescriptorLimit(repos: number, logger: Logger): void {
  const limit = openFileLimit();
  const needed = descriptorsNeeded(repos);
  if (limit === null || limit >= needed) return;
  logger.warn(
    { openFileLimit: limit, needed, repos },
    `the open-file limit (${limit}) is too low for ${repos} repos: the supervisor needs about ${needed}. ` +
      `Raise it before starting (ulimit -n ${needed}, within the hard limit 'ulimit -Hn'; LimitNOFILE=${needed} under systemd). ` +
      'Until then, workers that would not fit wait to be launched and stay stopped.',
  );
}
