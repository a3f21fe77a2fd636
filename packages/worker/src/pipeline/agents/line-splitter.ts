/** The longest line kept whole (HydraFlow's limit); the rest of a longer one is dropped. */
const MAX_LINE_CHARS = 1024 * 1024;
const TRUNCATED = ' …[line truncated]';

/**
 * Cuts a stream's text into lines (`\n` or `\r\n`), handing each to `onLine`
 * in order; a line longer than {@link MAX_LINE_CHARS} is cut there and marked,
 * so that an agent printing without newlines cannot grow the worker's memory.
 */
export class LineSplitter {
  private partial = '';
  private overflowed = false;

  constructor(private readonly onLine: (line: string) => void) {}

  /** Takes the next chunk of decoded text. */
  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline === -1) break;
      this.append(chunk.slice(start, newline));
      this.emit();
      start = newline + 1;
    }
    this.append(chunk.slice(start));
  }

  /** Hands on the last line when the text did not end with a newline. */
  end(): void {
    if (this.partial !== '' || this.overflowed) this.emit();
  }

  private append(text: string): void {
    if (this.overflowed) return;
    const room = MAX_LINE_CHARS - this.partial.length;
    if (text.length > room) {
      this.partial += text.slice(0, room);
      this.overflowed = true;
    } else {
      this.partial += text;
    }
  }

  private emit(): void {
    const line = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
    const overflowed = this.overflowed;
    this.partial = '';
    this.overflowed = false;
    this.onLine(overflowed ? line + TRUNCATED : line);
  }
}
