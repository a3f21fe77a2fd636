import type { Socket } from 'node:net';

/**
 * Writes `answer` as one JSON line, ends the socket once it is flushed, and
 * reads (discarding) whatever the client still sends so its close is seen.
 * A client that never closes its side is cut off after `lingerMs`.
 */
export function answerAndClose(socket: Socket, answer: unknown, lingerMs: number): void {
  if (socket.destroyed || socket.writableEnded) return;
  socket.end(`${JSON.stringify(answer)}\n`);
  // Closing with unread input would reset the connection and could lose the answer in flight.
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), lingerMs);
  socket.once('close', () => clearTimeout(linger));
}
