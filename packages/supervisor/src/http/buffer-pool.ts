/**
 * A few reusable byte buffers for answers that are written whole and often
 * (the `GET /api/repos` listing): a buffer is taken for one answer and given
 * back once the answer is handed to the operating system. An answer then
 * costs no new memory, neither V8 heap (a string that would live until the
 * write ends, and so survive young-generation collections) nor a fresh
 * external allocation. At most `keep` free buffers are held.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 4) {}

  /** A buffer of at least `size` bytes, not shared with anything else until it is given back. */
  take(size: number): Buffer {
    const buffer = this.free.pop();
    if (buffer !== undefined && buffer.length >= size) return buffer;
    // Room to grow, so a listing a few bytes longer next time still fits.
    return Buffer.allocUnsafeSlow(Math.max(1024, Math.ceil(size * 1.25)));
  }

  /** Gives back a buffer from {@link take} whose contents are no longer needed. */
  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
