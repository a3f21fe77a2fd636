/** Version of the control protocol; a worker's `hello` carries it and the supervisor refuses a mismatch. */
export const PROTOCOL_VERSION = 1;

/** Longest line (in bytes, excluding the newline) a connection accepts before closing: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** How long a request waits for its response unless the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

