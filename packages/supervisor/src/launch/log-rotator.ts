import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { Logger } from 'pino';

/** Rotated copies kept per worker log by default (`<log>.1` … `<log>.3`). */
const LOG_COPIES_KEPT = 3;

/** A log file and the rotated copies a {@link LogRotator} keeps of it: `[<log>, <log>.1, …, <log>.<keep>]`. */
export function logFileAndCopies(file: string, keep = LOG_COPIES_KEPT): string[] {
  return [file, ...Array.from({ length: keep }, (_, index) => `${file}.${index + 1}`)];
}

/** Options of a {@link LogRotator}. */
export interface LogRotatorOptions {
  /** Rotate a log once it is larger than this; no rotated copy is larger. */
  maxBytes: number;
  /** Rotated copies kept per log (`<log>.1` newest … `<log>.<keep>` oldest). */
  keep?: number;
  /** How often sizes are checked (default 2000 ms). */
  intervalMs?: number;
  /** The log files to watch, asked anew at every check. */
  files: () => string[];
  logger: Logger;
}

const COPY_CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * Keeps worker logs within a size: a log over `maxBytes` has its newest
 * `maxBytes` (from the first line start in them) copied to `<log>.1` (older
 * copies shifted, the oldest dropped) and is truncated in place. Workers
 * write with O_APPEND, so they carry on at the start of the emptied file;
 * lines written between the copy and the truncation are lost. A copy that
 * fails for want of space is dropped and the log truncated all the same, so
 * that a full disk gets its space back.
 */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly keep: number;

  constructor(private readonly options: LogRotatorOptions) {
    this.keep = Math.max(1, options.keep ?? LOG_COPIES_KEPT);
  }

  /** Starts checking on the interval. */
  start(): void {
    this.timer = setInterval(() => void this.checkAll(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** Stops checking and waits for a check under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Checks every file once (skipped while a check is under way). */
  checkAll(): Promise<void> {
    this.running ??= (async () => {
      for (const file of this.options.files()) {
        try {
          await this.rotateIfNeeded(file);
        } catch (error) {
          this.options.logger.warn({ err: error, file }, 'could not rotate a worker log');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Rotates `file` when it is over the limit; resolves true when it did. */
  async rotateIfNeeded(file: string): Promise<boolean> {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return false;
    }
    if (size <= this.options.maxBytes) return false;
    await unlink(`${file}.${this.keep}`).catch(() => undefined);
    for (let index = this.keep - 1; index >= 1; index -= 1) await rename(`${file}.${index}`, `${file}.${index + 1}`).catch(() => undefined);
    const newest = `${file}.1`;
    let copyError: NodeJS.ErrnoException | undefined;
    try {
      await copyTail(file, newest, this.options.maxBytes);
    } catch (error) {
      if (!isOutOfSpace(error)) throw error;
      copyError = error as NodeJS.ErrnoException;
    }
    // A partial copy would hold space the disk has not got: gone before the log is emptied,
    // so that an emptied log means the space is back.
    if (copyError !== undefined) await unlink(newest).catch(() => undefined);
    await truncate(file, 0);
    if (copyError === undefined) {
      this.options.logger.info({ file, size }, 'rotated a worker log');
      return true;
    }
    this.options.logger.warn(
      { file, size, err: copyError },
      'the disk is full: truncated a worker log without keeping a copy of it (its last lines are lost); free some space',
    );
    return true;
  }
}

/** Copies the last `maxBytes` of `source` (from the first line start in them) to `target`, with the source's mode. */
async function copyTail(source: string, target: string, maxBytes: number): Promise<void> {
  const input = await open(source, 'r');
  try {
    const info = await input.stat();
    const output = await open(target, 'w', info.mode & 0o777);
    try {
      const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
      let position = Math.max(0, info.size - maxBytes);
      let lineStartPending = position > 0;
      while (position < info.size) {
        const { bytesRead } = await input.read(buffer, 0, Math.min(buffer.length, info.size - position), position);
        if (bytesRead === 0) break;
        position += bytesRead;
        let start = 0;
        if (lineStartPending) {
          // The cut falls inside a line: the copy starts at the next one (when it starts in this chunk).
          const newline = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
          start = newline === -1 ? 0 : newline + 1;
          lineStartPending = false;
        }
        await writeAll(output, buffer.subarray(start, bytesRead));
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Buffer): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
}

function isOutOfSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
