/** A `/ws` frame as the CLI reads it. */
export interface CliFrame {
  id: number | null;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  repo: string;
}

/** The longest value an event line shows; a transcript line can be a megabyte. */
const MAX_VALUE_CHARS = 160;

function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? (/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)) : JSON.stringify(value) ?? 'undefined';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/**
 * One readable line for a frame: time, repo, `#id` (none for the
 * supervisor's own frames), type, then the payload as `key=value` pairs,
 * long values cut.
 */
export function eventLine(frame: CliFrame): string {
  const pairs = Object.entries(frame.data)
    .filter(([key]) => key !== 'repo')
    .map(([key, value]) => `${key}=${shortValue(value)}`);
  const id = frame.id === null ? '-' : `#${frame.id}`;
  return [frame.timestamp, frame.repo, id, frame.type, ...pairs].join(' ');
}
