import { copyFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import type { Logger } from 'pino';

/** Options of a {@link LogRotator}. */
export interface LogRotatorOptions {
  /** Rotate a log once it is larger than this. */
  maxBytes: number;
  /** Rotated copies kept per log (`<log>.1` newest … `<log>.<keep>` oldest). */
  keep?: number;
  /** How often sizes are checked (default 2000 ms). */
  intervalMs?: number;
  /** The log files to watch, asked anew at every check. */
  files: () => string[];
  logger: Logger;
}

/**
 * Keeps worker logs within a size: a log over `maxBytes` is copied to
 * `<log>.1` (older copies shifted, the oldest dropped) and truncated in place.
 * Workers write with O_APPEND, so they carry on at the start of the emptied
 * file; lines written between the copy and the truncation are lost.
 */
export class LogRotator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly keep: number;

  constructor(private readonly options: LogRotatorOptions) {
    this.keep = Math.max(1, options.keep ?? 3);
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
    await copyFile(file, `${file}.1`);
    await truncate(file, 0);
    this.options.logger.info({ file, size }, 'rotated a worker log');
    return true;
  }
}
