import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';

// Measured: a supervisor holds about 25 descriptors for itself (node, its output, the two
// listening ports, the state files), and 2 per running repo: the worker's control connection
// and the kept-alive socket of its HTTP probe. A launch briefly takes a few more (the log
// file, spawn's pipes).
const BASE_DESCRIPTORS = 32;
const DESCRIPTORS_PER_REPO = 2;
const DESCRIPTORS_PER_LAUNCH = 3;

/** Descriptors kept free for API clients and the probes' reconnects: launches wait rather than take them. */
function reservedDescriptors(limit: number): number {
  return Math.max(16, Math.ceil(limit / 8));
}

/** The soft limit on open files (RLIMIT_NOFILE) from /proc/self/limits, or null when it cannot be read or is unlimited. */
function openFileLimit(): number | null {
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
function openDescriptors(): number | null {
  try {
    // One of them is the folder being read.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/** The open-file limit a supervisor of `repos` repos needs: every worker launched, the reserve kept. */
function descriptorsNeeded(repos: number): number {
  const used = BASE_DESCRIPTORS + DESCRIPTORS_PER_REPO * repos + DESCRIPTORS_PER_LAUNCH;
  let limit = used + reservedDescriptors(used);
  while (limit - reservedDescriptors(limit) < used) limit += 1;
  return limit;
}

/**
 * True unless launching another worker would eat into the descriptors kept for the API and the
 * probes. `workers` counts the workers launched and not stopped, `starting` those of them with no
 * hello yet: their connections are still to come, so they are counted even before they show.
 */
export function hasDescriptorRoom(workers: number, starting: number): boolean {
  const limit = openFileLimit();
  const open = openDescriptors();
  if (limit === null || open === null) return true;
  const projected = Math.max(open + DESCRIPTORS_PER_REPO * starting, BASE_DESCRIPTORS + DESCRIPTORS_PER_REPO * workers);
  return projected + DESCRIPTORS_PER_REPO + DESCRIPTORS_PER_LAUNCH + reservedDescriptors(limit) <= limit;
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
