// The control protocol: request/response round trip (p50/p99, one request at
// a time) and pipelined throughput (a window of requests in flight) over one
// @repovisor/protocol Connection on loopback TCP. Measured two ways: `health`
// against a real worker process (the bench plays the supervisor and accepts
// its hello); an echo peer in another process (the same framing, correlation
// and schema checks, without the worker's handler); and a local echo pair
// (both ends in the bench: no process switch at all); and, as the floor, a
// raw TCP ping-pong with a process that echoes bytes (no protocol at all).
import { mkdtemp } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Connection, PROTOCOL_VERSION, SupervisorRequests, WorkerRequests } from '@repovisor/protocol';
import { benchEnv, spawnTracked } from '../lib/cleanup.mjs';
import { percentile } from '../lib/stats.mjs';

const ECHO_SERVER = fileURLToPath(new URL('../fixtures/echo-server.mjs', import.meta.url));
const RAW_ECHO = fileURLToPath(new URL('../fixtures/raw-echo.mjs', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('../../../packages/worker/dist/bundle/repo-worker.cjs', import.meta.url));
const Echo = { method: 'bench.echo', params: z.object({ n: z.number() }), result: z.object({ n: z.number() }) };
const WARMUP = 2000;
const SEQUENTIAL = 5000;
const PIPELINED = 20000;
const WINDOW = 1000;

async function sequential(send, count) {
  const times = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await send(i);
    times[i] = performance.now() - started;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function pipelined(send, count) {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
  return count / ((performance.now() - started) / 1000);
}

async function measure(send, runs) {
  await sequential(send, WARMUP);
  const result = { p50: [], p99: [], perSecond: [] };
  for (let run = 0; run < runs; run += 1) {
    const { p50, p99 } = await sequential(send, SEQUENTIAL);
    result.p50.push(p50);
    result.p99.push(p99);
    result.perSecond.push(await pipelined(send, PIPELINED));
  }
  return result;
}

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

/** `health` round trips to a real worker that dialed in and said hello. */
async function againstWorker(tmp, repo, runs) {
  const token = randomBytes(24).toString('hex');
  let accept;
  const helloed = new Promise((resolve) => (accept = resolve));
  const server = createServer((socket) => {
    const connection = Connection.fromSocket(socket, { label: 'bench-worker' });
    connection.handle(WorkerRequests.hello, (params) => {
      setImmediate(() => accept(connection));
      if (params.token !== token) throw new Error('wrong token');
      return { protocolVersion: PROTOCOL_VERSION, supervisorPid: process.pid };
    });
  });
  const port = await listen(server);
  const dataRoot = await mkdtemp(join(tmp, 'protocol-worker-'));
  const env = benchEnv({
    REPOVISOR_SLUG: 'bench/protocol',
    REPOVISOR_REPO_PATH: repo,
    REPOVISOR_DATA_ROOT: dataRoot,
    REPOVISOR_CONTROL: `127.0.0.1:${port}`,
    REPOVISOR_TOKEN: token,
    REPOVISOR_HTTP_PORT: 'off',
    REPOVISOR_LOG_LEVEL: 'warn',
  });
  const child = spawnTracked(process.execPath, [WORKER_MAIN], { stdio: 'ignore', env });
  try {
    const connection = await helloed;
    return await measure(() => connection.request(SupervisorRequests.health, {}), runs);
  } finally {
    process.kill(child.pid, 'SIGTERM');
    await child.exited;
    server.close();
  }
}

/** Starts the peer `script` (it prints its port), connects to it, runs `use(socket)`, and always ends the peer. */
async function withPeerProcess(script, use) {
  const child = spawnTracked(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    const socket = connect({ host: '127.0.0.1', port: Number(String(line).trim()) });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return await use(socket);
  } finally {
    process.kill(child.pid, 'SIGTERM');
    await child.exited;
  }
}

/** Echo round trips to fixtures/echo-server.mjs in its own process. */
function echoProcess(runs) {
  return withPeerProcess(ECHO_SERVER, async (socket) => {
    const client = Connection.fromSocket(socket, { label: 'echo-client' });
    try {
      return await measure((n) => client.request(Echo, { n }), runs);
    } finally {
      client.close();
    }
  });
}

/** Raw ping-pong: one line written, the same bytes read back, to fixtures/raw-echo.mjs. */
function rawEcho(runs) {
  return withPeerProcess(RAW_ECHO, async (socket) => {
    const waiting = [];
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk;
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        buffered = buffered.slice(at + 1);
        waiting.shift()();
      }
    });
    const send = (n) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(`{"id":${n},"method":"bench.echo","params":{"n":${n}}}\n`);
      });
    try {
      return await measure(send, runs);
    } finally {
      socket.destroy();
    }
  });
}

/** Echo round trips between two Connections in this process. */
async function echoPair(runs) {
  const server = createServer((socket) => {
    Connection.fromSocket(socket, { label: 'echo-server' }).handle(Echo, (params) => ({ n: params.n }));
  });
  const port = await listen(server);
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const client = Connection.fromSocket(socket, { label: 'echo-client' });
  try {
    return await measure((n) => client.request(Echo, { n }), runs);
  } finally {
    client.close();
    server.close();
  }
}

/** Runs the protocol phase; returns {worker, echoProcess, raw, echo}, each {p50, p99, perSecond} with one value per run. */
export async function protocolPhase({ tmp, repo, runs, progress }) {
  const worker = await againstWorker(tmp, repo, runs);
  progress(`protocol, health to a worker: p50 ${worker.p50.map((v) => (v * 1000).toFixed(0)).join('/')} µs, ${worker.perSecond.map((v) => v.toFixed(0)).join('/')} req/s pipelined`);
  const echoProc = await echoProcess(runs);
  progress(`protocol, echo peer process:  p50 ${echoProc.p50.map((v) => (v * 1000).toFixed(0)).join('/')} µs, ${echoProc.perSecond.map((v) => v.toFixed(0)).join('/')} req/s pipelined`);
  const raw = await rawEcho(runs);
  progress(`protocol, raw TCP ping-pong:  p50 ${raw.p50.map((v) => (v * 1000).toFixed(0)).join('/')} µs, ${raw.perSecond.map((v) => v.toFixed(0)).join('/')} lines/s pipelined`);
  const echo = await echoPair(runs);
  progress(`protocol, in-process echo:    p50 ${echo.p50.map((v) => (v * 1000).toFixed(0)).join('/')} µs, ${echo.perSecond.map((v) => v.toFixed(0)).join('/')} req/s pipelined`);
  return { worker, echoProcess: echoProc, raw, echo };
}
