/** What one stdout line of a `kind` agent's JSON event stream means. */
export interface DecodedLine {
  /** The readable lines for the transcript and its `transcript_line` events. */
  shown: string[];
  /** The assistant's text among them, where the markers are read. */
  text: string[];
}

/** Turns a `kind` agent's JSON event lines into readable lines, and keeps what the service said went wrong. */
export interface StreamDecoder {
  /** Decodes one stdout line; a line that is not an event is shown as it is. */
  line(raw: string): DecodedLine;
  /** The error messages the stream carried (a failed result, an error event), in order. */
  readonly failures: readonly string[];
}

/** The JSON object a line holds, or null when it holds none. */
function parseEvent(raw: string): Record<string, unknown> | null {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A field of an event that is a string, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** An event's object field, or undefined. */
export function objectField(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null && !Array.isArray(field) ? (field as Record<string, unknown>) : undefined;
}

/** The first line of `text`, cut to `max` characters, for a one-line progress summary. */
export function oneLine(text: string, max = 160): string {
  const first = text.split('\n', 1)[0] ?? '';
  return first.length > max ? `${first.slice(0, max)}…` : first;
}

/** The assistant's text as lines: shown and read for markers. */
export function textLines(text: string): DecodedLine {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  return { shown: lines, text: lines };
}

/** Progress lines only: shown, never read for markers. */
export function progress(...lines: string[]): DecodedLine {
  return { shown: lines, text: [] };
}

/** A decoder of a JSON-lines event stream: each line through `decode`, a line that is not JSON shown as it is. */
export function jsonLinesDecoder(failures: string[], decode: (event: Record<string, unknown>) => DecodedLine): StreamDecoder {
  return {
    failures,
    line(raw) {
      const event = parseEvent(raw);
      return event === null ? progress(raw) : decode(event);
    },
  };
}
