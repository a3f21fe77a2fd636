import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// /proc/<pid>/stat after the ')' that ends the command name: state ppid pgrp …
const STATE_INDEX = 0;
const PGRP_INDEX = 2;
const POLL_MS = 25;

/**
 * Pids of the live (not zombie) processes in process group `pgid`, from
 * /proc. A zombie is left out: an orphan's zombie may wait long for a reaper
 * and can no longer do anything.
 */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // It ended while we looked.
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
    if (Number(fields[PGRP_INDEX]) === pgid && fields[STATE_INDEX] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/** Resolves once process group `pgid` has no live member left (polled from /proc). */
export async function untilGroupGone(pgid: number): Promise<void> {
  while (liveGroupMembers(pgid).length > 0) await sleep(POLL_MS);
}
