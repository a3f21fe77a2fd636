import { WebSocket } from 'ws';
import { waitFor } from './wait-for.js';

/** A `/ws` frame as the tests read it. */
export interface TestFrame {
  id: number | null;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  session_id: string | null;
  repo: string;
}

/** A real WebSocket client of a `/ws` stream, collecting its frames. */
export interface StreamClient {
  readonly socket: WebSocket;
  /** Every frame received so far, in order. */
  readonly frames: TestFrame[];
  /** The frames with an id (worker events), in order. */
  events(): TestFrame[];
  /** Resolves with the close code and reason once the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first frame, received from now on or before, for which `check` holds. */
  waitForFrame(what: string, check: (frame: TestFrame) => boolean, deadlineMs?: number): Promise<TestFrame>;
  /** Stops reading from the TCP socket (the client's kernel buffer fills, then the server's). */
  pause(): void;
  /** Reads again. */
  resume(): void;
}

/** Opens `url` (ws://…) with extra `headers` and resolves once it is open, or with its close when the upgrade is refused. */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  const socket = new WebSocket(url, { headers, perMessageDeflate: false });
  const frames: TestFrame[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as TestFrame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
  });
  // ws keeps its net.Socket private; pausing it is what a client that stops reading does.
  const tcp = () => (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return {
    socket,
    frames,
    events: () => frames.filter((frame) => frame.id !== null),
    closed,
    waitForFrame: (what, check, deadlineMs) => waitFor(what, () => frames.find(check), deadlineMs),
    pause: () => tcp().pause(),
    resume: () => tcp().resume(),
  };
}

/** Resolves once `socket` (a refused upgrade) has failed, with the HTTP status of the refusal. */
export function refusedStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error(`${url} was not refused`));
    });
    socket.on('error', () => undefined);
  });
}
