// Shared by the worker's and the supervisor's `/ws`: one drop policy for both.
// Structural, so that kit needs no WebSocket library: `ws`'s WebSocket fits.

/** How many bytes a WebSocket client may leave unread before it is dropped (4 MiB). */
export const CLIENT_BUFFER_LIMIT_BYTES = 4 * 1024 * 1024;

/** The close code of a dropped client: 1013, "try again later". */
export const DROPPED_CLIENT_CLOSE_CODE = 1013;

/** What {@link sendBounded} needs of a WebSocket. */
export interface BoundedSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

const OPEN = 1;

/**
 * Sends `text` to `socket` unless the client already leaves more than `limit`
 * bytes unread; then closes it with 1013 and returns false. The sender never
 * waits for a client: a slow or dead one is dropped instead of slowing it.
 */
export function sendBounded(socket: BoundedSocket, text: string, limit = CLIENT_BUFFER_LIMIT_BYTES): boolean {
  if (socket.readyState !== OPEN) return false;
  if (socket.bufferedAmount > limit) {
    socket.close(DROPPED_CLIENT_CLOSE_CODE, `Dropped: more than ${limit} bytes unread; reconnect with since=<last id>`);
    return false;
  }
  socket.send(text);
  return true;
}
