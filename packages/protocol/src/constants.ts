/** Version of the control protocol; a worker's `hello` carries it and the supervisor refuses a mismatch. */
export const PROTOCOL_VERSION = 1;

/** Longest line (in bytes, excluding the newline) a connection accepts before closing: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** How long a request waits for its response unless the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Where the supervisor puts `NODE_EXTRA_CA_CERTS` in a worker's environment.
 * Node 20 reads and parses that file at every start (~40 ms of CPU for a
 * system CA bundle) although a worker makes no TLS connection itself; the
 * worker puts it back under its own name first thing, so that whatever it
 * runs still gets it (docs/ARCHITECTURE.md, "A worker's environment").
 */
export const DEFERRED_CA_CERTS_ENV = 'REPOVISOR_NODE_EXTRA_CA_CERTS';
