// Raw TCP clients for the control port and the HTTP port, to send what well-behaved clients never would.
import { connect } from 'node:net';

/**
 * Opens a connection to `port`, writes `payload` (then ends the sending side with `end`),
 * and resolves with what came back once the peer closes, `lines` lines arrived,
 * or `deadlineMs` passed (a guard against a hang: `timedOut` is then true).
 */
export function exchange(port, payload, { end = false, lines = Infinity, deadlineMs = 60_000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let text = '';
    const errors = [];
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, lines: text.split('\n').filter((line) => line !== ''), errors, timedOut: false, ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), deadlineMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.split('\n').length - 1 >= lines) finish();
    });
    socket.on('error', (error) => errors.push(error.code ?? error.message));
    socket.on('close', () => finish());
    socket.on('connect', () => {
      if (end) socket.end(payload);
      else if (payload.length > 0) socket.write(payload);
    });
  });
}

/** Parses the first JSON line of an exchange, or undefined. */
export function firstJson(result) {
  try {
    return JSON.parse(result.lines[0] ?? '');
  } catch {
    return undefined;
  }
}

/** Sends raw bytes to an HTTP server at `url` and resolves with the status line's code and the whole answer. */
export async function rawHttp(url, request, options = {}) {
  const { hostname, port } = new URL(url);
  const result = await exchange(Number(port), request, { host: hostname, ...options });
  const match = /^HTTP\/1\.1 (\d{3})/.exec(result.text);
  return { ...result, status: match === null ? null : Number(match[1]), body: result.text.slice(result.text.indexOf('\r\n\r\n') + 4) };
}

/** Opens `count` idle connections to `port`; resolves with a function that closes them all. */
export async function openIdle(port, count, host = '127.0.0.1') {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(socket));
      socket.on('error', reject);
    })),
  );
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time; resolves with their results in order. */
export async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next;
        next += 1;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}
