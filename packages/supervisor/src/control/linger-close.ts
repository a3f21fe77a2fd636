import type { Socket } from 'node:net';

/**
 * Ends the socket once what was written to it is flushed, and reads
 * (discarding) whatever the client still sends so its close is seen. A client
 * that never closes its side is cut off after `lingerMs`.
 */
export function lingerClose(socket: Socket, lingerMs: number): void {
  if (socket.destroyed) return;
  // Closing with unread input would reset the connection and could lose the answer in flight.
  socket.resume();
  if (!socket.writableEnded) socket.end();
  const linger = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(linger));
}
