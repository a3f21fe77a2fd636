import { SerialQueue } from '@repovisor/kit';
import { mkdir, readFile, readdir, rename, stat, unlink, appendFile } from '@repovisor/kit/promised-fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../runtime/private-files.js';
import type { RuntimeEvent } from './runtime-event.js';

/** Where and how an {@link EventLog} keeps its file. */
export interface EventLogOptions {
  /** Folder of `events.jsonl` (the runtime's data root). */
  folder: string;
  /** Rotate when the live file would grow past this many bytes (default 10 MiB). */
  maxBytes?: number;
  /** Rotate when the live file's first event is older than this (default 7 days). */
  maxAgeMs?: number;
  /** How many rotated files to keep (default 5). */
  maxFiles?: number;
  /** Receives a line that could not be read back (corrupt or torn). */
  onCorruptLine?: (lineNumber: number, reason: string) => void;
  /** Clock, injectable for rotation tests. */
  now?: () => number;
}

const LIVE_FILE = 'events.jsonl';
const ROTATED = /^events\.(\d+)\.jsonl$/;

/**
 * Append-only JSON-lines log of runtime events, rotated by size and age.
 * Appends are serialised; a torn last line (a crash mid-write) is skipped on load.
 */
export class EventLog {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly maxFiles: number;
  private readonly now: () => number;
  private size = 0;
  private firstAt: number | undefined;
  private readonly appends = new SerialQueue();

  private constructor(private readonly options: EventLogOptions) {
    this.path = join(options.folder, LIVE_FILE);
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 7 * 24 * 60 * 60 * 1000;
    this.maxFiles = options.maxFiles ?? 5;
    this.now = options.now ?? Date.now;
  }

  /** Opens (creating its folder) the log and returns it with the history it already holds. */
  static async open(options: EventLogOptions): Promise<{ log: EventLog; history: RuntimeEvent[] }> {
    await mkdir(options.folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    const log = new EventLog(options);
    const history = await log.readLive();
    return { log, history };
  }

  /** Appends one event; resolves once it is written. Appends keep their order. */
  append(event: RuntimeEvent): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    return this.appends.run(() => this.write(line, Date.parse(event.at)));
  }

  /** Resolves when every append so far has been written. */
  flush(): Promise<void> {
    return this.appends.idle();
  }

  /** Paths of the rotated files, oldest first. */
  async rotatedFiles(): Promise<string[]> {
    const names = await readdir(this.options.folder);
    return names
      .map((name) => ({ name, stamp: ROTATED.exec(name)?.[1] }))
      .filter((entry): entry is { name: string; stamp: string } => entry.stamp !== undefined)
      .sort((a, b) => Number(a.stamp) - Number(b.stamp))
      .map((entry) => join(this.options.folder, entry.name));
  }

  private async write(line: string, at: number): Promise<void> {
    const bytes = Buffer.byteLength(line);
    const tooBig = this.size > 0 && this.size + bytes > this.maxBytes;
    const tooOld = this.firstAt !== undefined && this.now() - this.firstAt > this.maxAgeMs;
    if (tooBig || tooOld) await this.rotate();
    await appendFile(this.path, line, { encoding: 'utf8', mode: PRIVATE_FILE_MODE });
    this.size += bytes;
    this.firstAt ??= Number.isNaN(at) ? this.now() : at;
  }

  private async rotate(): Promise<void> {
    let stamp = this.now();
    const existing = new Set(await this.rotatedFiles());
    while (existing.has(join(this.options.folder, `events.${stamp}.jsonl`))) stamp += 1;
    await rename(this.path, join(this.options.folder, `events.${stamp}.jsonl`));
    this.size = 0;
    this.firstAt = undefined;
    const rotated = await this.rotatedFiles();
    for (const old of rotated.slice(0, Math.max(0, rotated.length - this.maxFiles))) {
      await unlink(old).catch(() => undefined);
    }
  }

  private async readLive(): Promise<RuntimeEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    this.size = (await stat(this.path)).size;
    const events: RuntimeEvent[] = [];
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const event = parseEvent(line);
      if (event === undefined) this.options.onCorruptLine?.(index + 1, 'not a JSON event');
      else events.push(event);
    });
    const first = events[0];
    if (first !== undefined) this.firstAt = Date.parse(first.at);
    return events;
  }
}

function parseEvent(line: string): RuntimeEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<RuntimeEvent> | null;
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof value.seq !== 'number' || typeof value.type !== 'string' || typeof value.at !== 'string') return undefined;
    return { seq: value.seq, type: value.type, at: value.at, slug: String(value.slug ?? ''), session: typeof value.session === 'string' ? value.session : null, data: value.data ?? {} };
  } catch {
    return undefined;
  }
}
