import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { reposYaml } from './helpers/claims-config.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import type { RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// http.request_timeout_ms: a client that sent its headers but not its whole
// body is answered 408 and disconnected (docs/CONFIGURATION.md).
const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;

beforeAll(async () => {
  const root = await temp.make();
  const home = join(root, 'home');
  supervisor = await rig.start(await rig.writeConfig(root, reposYaml(home, { http: { host: '127.0.0.1', port: 0, headers_timeout_ms: 500, request_timeout_ms: 1000 } }, [])), home);
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('http.request_timeout_ms', () => {
  it('answers 408 and closes the connection of a client whose body is not finished in time', async () => {
    const { hostname, port } = new URL(supervisor.url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = once(socket, 'close');
    // Complete headers, then one byte of the 100 announced, then nothing.
    socket.write(`POST /api/repos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${supervisor.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    // Far longer than 1000 ms plus the once-a-second check, far shorter than the 30000 ms default.
    await waitFor('the supervisor to close the connection', () => socket.closed, 20_000);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect((await fetch(`${supervisor.url}/healthz`)).status).toBe(200);
  });
});
