import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES } from '@repovisor/protocol';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import type { ApiRepo, RunningTestSupervisor } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: RunningTestSupervisor;
let home: string;
let worker: ApiRepo;

beforeAll(async () => {
  const root = await temp.make();
  await createGitRepo(join(root, 'alpha'));
  await createGitRepo(join(root, 'beta'));
  home = join(root, 'home');
  const file = await rig.writeConfig(root, `${testSupervisorSection(home, '', 'steady')}\nrepos:\n  - path: ./alpha\n    slug: acme/alpha\n  - path: ./beta\n    slug: acme/beta\n    autostart: false\n`);
  supervisor = await rig.start(file, home);
  worker = await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
});

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** Sends `payload` on a fresh connection to the control port and collects what comes back until the supervisor closes it (a reset counts as closing). */
async function exchange(payload: string | Buffer): Promise<string> {
  const port = Number(await readFile(join(home, 'supervisor-port'), 'utf8'));
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    // A reset by the supervisor (a line over the limit) ends the exchange like a close.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(answer));
    socket.write(payload);
  });
}

function hello(overrides: Record<string, unknown>): string {
  const params = { slug: 'acme/alpha', pid: 1, protocolVersion: 1, token: 'x'.repeat(64), httpPort: null, running: true, sessionId: null, ...overrides };
  return `${JSON.stringify({ id: 1, method: 'hello', params })}\n`;
}

async function storedToken(slug = 'acme/alpha'): Promise<string> {
  const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string; token: string }[] };
  return state.repos.find((repo) => repo.slug === slug)?.token ?? '';
}

describe('the control port', () => {
  it('refuses a hello with a wrong token', async () => {
    const answer = await exchange(hello({ pid: worker.pid }));
    expect(JSON.parse(answer)).toMatchObject({ id: 1, error: { code: 'unauthorized' } });
  });

  it('refuses a hello for an unknown slug', async () => {
    const answer = await exchange(hello({ slug: 'acme/ghost' }));
    expect(JSON.parse(answer)).toMatchObject({ id: 1, error: { code: 'unknown_slug' } });
  });

  it('refuses a hello with the right token from another pid: the slug belongs to its worker', async () => {
    const answer = await exchange(hello({ token: await storedToken(), pid: process.pid }));
    expect(JSON.parse(answer)).toMatchObject({ id: 1, error: { code: 'unexpected_worker', message: expect.stringContaining(`worker pid ${worker.pid}`) } });
  });

  it('refuses a hello with the right token for a stopped repo: no worker is expected now', async () => {
    const answer = await exchange(hello({ slug: 'acme/beta', token: await storedToken('acme/beta'), pid: process.pid }));
    expect(JSON.parse(answer)).toMatchObject({ id: 1, error: { code: 'unexpected_worker', message: 'No worker of acme/beta is expected now (it is stopped)' } });
  });

  it('refuses a hello of another protocol version', async () => {
    const answer = await exchange(hello({ protocolVersion: 99 }));
    expect(JSON.parse(answer)).toMatchObject({ id: 1, error: { code: 'version_mismatch' } });
  });

  it('reads a hello and the line after it sent in one packet', async () => {
    const answer = await exchange(`${hello({ pid: worker.pid })}${JSON.stringify({ id: 2, method: 'no.such.method', params: {} })}\n`);
    const lines = answer.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 1, error: expect.objectContaining({ code: 'unauthorized' }) }),
        expect.objectContaining({ id: 2, error: expect.objectContaining({ code: 'method_not_found' }) }),
      ]),
    );
  });

  it('answers garbage with an error line and closes that connection only', async () => {
    const answer = await exchange('this is not json\n{"also": "not a message"}\n');
    expect(answer.split('\n')[0]).toContain('parse_error');
    expect(answer).toContain('unknown action');
  });

  it('answers a line at the size limit, and closes without an answer a connection whose line passes it', async () => {
    // At the limit: read whole, and answered as the garbage it is.
    expect(await exchange(`${'a'.repeat(DEFAULT_MAX_LINE_BYTES)}\n`)).toContain('parse_error');
    // One byte over, with no newline: only the limit can close it before the hello timeout (10 s); the client may see a reset.
    const warned = (): number => supervisor.child.stdout().split('\n').filter((line) => line.includes('its first line passes the size limit')).length;
    const warnedBefore = warned();
    expect(await exchange(Buffer.alloc(DEFAULT_MAX_LINE_BYTES + 1, 'a'))).toBe('');
    await waitFor('the supervisor to log why it closed the connection', () => warned() > warnedBefore);
  });

  it('keeps the worker connected and healthy through all of it', async () => {
    // The noise of the tests above, sent here too: this test stands alone.
    const noise = [
      hello({ pid: worker.pid }),
      hello({ slug: 'acme/ghost' }),
      hello({ token: await storedToken(), pid: process.pid }),
      hello({ protocolVersion: 99 }),
      'this is not json\n{"also": "not a message"}\n',
      Buffer.alloc(DEFAULT_MAX_LINE_BYTES + 1, 'a'),
    ];
    await Promise.all(noise.map((payload) => exchange(payload)));
    const noiseEnded = Date.now();
    const after = await rig.waitForRepo(supervisor, 'acme/alpha', 'probed after the noise', (repo) => repo.last_probe !== null && Date.parse(repo.last_probe.at) > noiseEnded && repo.last_probe.ok);
    // Probes that cannot fail on a slow machine (the rig's `steady`): a restart here is the noise's doing.
    expect(after).toMatchObject({ status: 'running', pid: worker.pid, restarts: 0 });
    expect(isAlive(worker.pid ?? 0)).toBe(true);
    expect(supervisor.child.child.exitCode).toBeNull();
  });
});
