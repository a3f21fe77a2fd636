// Time spans on the wall clock (ms since the epoch, sub-ms precision) for the
// pipeline phase: git's own processes read from a GIT_TRACE2_EVENT file, the
// agents' from the lines they append, and how much of a window a set of
// spans covers (overlaps counted once).
import { readFileSync } from 'node:fs';

/** "2026-12-04T21:30:34.504143Z" (trace2's microsecond UTC) as ms since the epoch. */
function microIso(text) {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (match === null) return NaN;
  const fraction = match[2] ?? '0';
  return Date.parse(`${match[1]}Z`) + Number(`0.${fraction}`) * 1000;
}

/** The git subcommand of an argv: `fetch` of `git -C <dir> fetch …`; `git-upload-pack` as it is. */
function subcommand(argv) {
  for (let at = 1; at < argv.length; at += 1) {
    if (argv[at] === '-C' || argv[at] === '-c') at += 1;
    else if (!argv[at].startsWith('-')) return argv[at];
  }
  return argv[0]?.split('/').at(-1) ?? 'git';
}

/**
 * Every git process in a trace2 event file: {start, end, command} where end is
 * its `atexit` time and start that minus its `t_abs` (seconds since the
 * process began). A child git (the receive-pack of a push) is a span of its
 * own inside its parent's.
 */
export function gitSpans(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const commands = new Map();
  const spans = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      continue; // A line cut short by a process killed mid-write.
    }
    if (event.event === 'start') commands.set(event.sid, subcommand(event.argv ?? []));
    if (event.event === 'atexit') {
      const end = microIso(event.time);
      spans.push({ start: end - event.t_abs * 1000, end, command: commands.get(event.sid) ?? 'git', nested: event.sid.includes('/') });
    }
  }
  return spans;
}

/** The agents' spans from the JSON lines of fixtures/instant-agent.mjs. */
export function agentSpans(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** How many ms of [from, to] the spans cover, overlaps counted once. */
export function covered(spans, from, to) {
  const inside = spans
    .map(({ start, end }) => [Math.max(start, from), Math.min(end, to)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of inside) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}
