import { writeSync } from 'node:fs';

/** One logging method: `(message)` or `(fields, message?)`, as in pino. */
export interface LogMethod {
  (message: string): void;
  (fields: object, message?: string): void;
}

/**
 * What worker code logs through. pino's `Logger` satisfies it (tests and
 * embedders may pass one); the worker process itself uses
 * {@link JsonLineLogger}, which costs no start-up time.
 */
export interface WorkerLogger {
  fatal: LogMethod;
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  trace: LogMethod;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): WorkerLogger;
  /** The fields this logger adds to every line. */
  bindings(): Record<string, unknown>;
  /** Writes out anything buffered (a no-op for a synchronous logger). */
  flush(): void;
}

/** pino's numeric levels, so that pino tooling (`pino-pretty`) reads the worker's log. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY } as const;

/** A level name of {@link LOG_LEVELS}. */
export type LogLevelName = keyof typeof LOG_LEVELS;

/** Options of a {@link JsonLineLogger}. */
export interface JsonLineLoggerOptions {
  /** Lines below this level are dropped; `silent` drops all. */
  level: LogLevelName;
  /** Fields on every line, e.g. `{pid, slug}`. */
  bindings?: Record<string, unknown>;
  /** Where lines go; fd 1 by default. */
  fd?: number;
}

const EAGAIN_RETRIES = 100;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * A minimal pino-compatible logger: one JSON object per line
 * (`level`, `time`, the bindings, the fields, `msg`), written synchronously
 * to a file descriptor, so nothing is lost when the process exits. Errors in
 * any field become `{type, message, stack, code?, cause?}` as pino's
 * serializer makes them.
 */
export class JsonLineLogger implements WorkerLogger {
  readonly fatal: LogMethod;
  readonly error: LogMethod;
  readonly warn: LogMethod;
  readonly info: LogMethod;
  readonly debug: LogMethod;
  readonly trace: LogMethod;
  private readonly threshold: number;
  private readonly fd: number;
  private readonly fixed: Record<string, unknown>;

  constructor(options: JsonLineLoggerOptions) {
    this.threshold = LOG_LEVELS[options.level];
    this.fd = options.fd ?? 1;
    this.fixed = options.bindings ?? {};
    this.fatal = this.method(LOG_LEVELS.fatal);
    this.error = this.method(LOG_LEVELS.error);
    this.warn = this.method(LOG_LEVELS.warn);
    this.info = this.method(LOG_LEVELS.info);
    this.debug = this.method(LOG_LEVELS.debug);
    this.trace = this.method(LOG_LEVELS.trace);
  }

  child(bindings: Record<string, unknown>): JsonLineLogger {
    const level = (Object.keys(LOG_LEVELS) as LogLevelName[]).find((name) => LOG_LEVELS[name] === this.threshold) ?? 'info';
    return new JsonLineLogger({ level, fd: this.fd, bindings: { ...this.fixed, ...bindings } });
  }

  bindings(): Record<string, unknown> {
    return { ...this.fixed };
  }

  flush(): void {
    // Every line is written synchronously.
  }

  private method(level: number): LogMethod {
    return (first: object | string, message?: string): void => {
      if (level < this.threshold) return;
      const fields = typeof first === 'string' ? undefined : first;
      const msg = typeof first === 'string' ? first : message;
      this.write(`${serialize({ level, time: Date.now(), ...this.fixed, ...fields, ...(msg === undefined ? {} : { msg }) })}\n`);
    };
  }

  private write(line: string): void {
    const bytes = Buffer.from(line);
    let offset = 0;
    let retries = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        // A non-blocking pipe that is full: wait a moment, as pino's sonic-boom does; give up on a dead one.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > EAGAIN_RETRIES) return;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }
}

/** JSON of a log line: errors as plain objects, bigints as strings, cycles as "[Circular]". */
function serialize(value: object): string {
  try {
    return JSON.stringify(loggable(value, []));
  } catch (error) {
    return JSON.stringify({ level: LOG_LEVELS.error, time: Date.now(), msg: `unloggable line: ${(error as Error).message}` });
  }
}

// A plain copy of `value` for JSON.stringify. Only a reference back to an
// object on the current path is a cycle: an object met twice side by side is
// written twice, as pino does.
function loggable(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (!(value instanceof Error) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return loggable((value as { toJSON: () => unknown }).toJSON(), ancestors);
  }
  const path = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => loggable(item, path));
  const source = value instanceof Error ? serializeError(value) : (value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(source)) copy[key] = loggable(member, path);
  return copy;
}

function serializeError(error: Error): Record<string, unknown> {
  const own: Record<string, unknown> = { ...error };
  return { type: error.name, message: error.message, stack: error.stack, ...own, ...(error.cause === undefined ? {} : { cause: error.cause }) };
}
