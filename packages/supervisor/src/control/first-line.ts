import type { Socket } from 'node:net';

/**
 * What a control client sent first: a complete line (`rest` is what followed
 * it in the same chunk; `ended` when the line was cut by the end of the
 * stream rather than a newline), a line over the limit, an end before any
 * byte, or a socket closed or failed before a line.
 */
export type FirstLine =
  | { kind: 'line'; line: Buffer; rest: Buffer; ended: boolean }
  | { kind: 'too_long'; receivedBytes: number }
  | { kind: 'ended' }
  | { kind: 'closed'; error?: Error };

const NEWLINE = 0x0a;

/**
 * Reads a socket up to its first newline, holding at most `maxLineBytes`, then
 * detaches and pauses the socket so the caller can hand the rest of the
 * stream on (nothing after the line is consumed but `rest`). Never rejects.
 */
export function readFirstLine(socket: Socket, maxLineBytes: number): Promise<FirstLine> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    let bytes = 0;
    const finish = (result: FirstLine): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      const newline = buffer.indexOf(NEWLINE);
      const lineBytes = bytes + (newline === -1 ? buffer.length : newline);
      if (lineBytes > maxLineBytes) {
        finish({ kind: 'too_long', receivedBytes: lineBytes });
      } else if (newline === -1) {
        pieces.push(buffer);
        bytes = lineBytes;
      } else {
        finish({ kind: 'line', line: Buffer.concat([...pieces, buffer.subarray(0, newline)]), rest: buffer.subarray(newline + 1), ended: false });
      }
    };
    // A last line without a newline still counts, so `printf '{"action":"ping"}' | nc -N` works.
    const onEnd = (): void => finish(bytes === 0 ? { kind: 'ended' } : { kind: 'line', line: Buffer.concat(pieces), rest: Buffer.alloc(0), ended: true });
    const onClose = (): void => finish({ kind: 'closed' });
    const onError = (error: Error): void => finish({ kind: 'closed', error });
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
    if (socket.destroyed) finish({ kind: 'closed' });
  });
}
