/** The logger a connection reports to; pino's logger fits. */
export interface ConnectionLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

/** Options of a {@link Connection}. */
export interface ConnectionOptions {
  /** Longest accepted incoming line in bytes (default 1 MiB); a longer one closes the connection. */
  maxLineBytes?: number;
  /** Read a last line that lacks its newline when the peer ends its stream, instead of discarding it (default false). */
  readUnterminatedLastLine?: boolean;
  /** Default timeout of outgoing requests (default 10 s). */
  requestTimeoutMs?: number;
  /** Where warnings (oversize lines, unattributable errors) and debug notes go; silent by default. */
  logger?: ConnectionLogger;
  /** Names the connection in logs and error messages, e.g. the peer's slug. */
  label?: string;
  /** Destroy the streams when the connection closes; `Connection.fromSocket` sets it. */
  ownsStreams?: boolean;
}

/** Options of one outgoing request. */
export interface RequestOptions {
  /** Overrides the connection's default request timeout. */
  timeoutMs?: number;
}

/** Why a connection closed: closed here, the peer went away, an oversize line, or a transport error. */
export type CloseReason = 'local' | 'peer' | 'line_too_long' | 'error';

/** What `onClose` listeners receive. */
export interface CloseInfo {
  reason: CloseReason;
  error?: Error;
}

/** The longest delay setTimeout honours (about 24.8 days); longer ones would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A RangeError describing why `value` is not a usable timeout in milliseconds, or undefined if it is. */
export function timeoutProblem(name: string, value: number): RangeError | undefined {
  if (Number.isFinite(value) && value > 0 && value <= MAX_TIMEOUT_MS) return undefined;
  return new RangeError(`${name} must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS}, got ${value}.`);
}
