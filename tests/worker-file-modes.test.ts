import { afterEach, describe, expect, it } from '@jest/globals';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SupervisorRequests } from '@repovisor/protocol';
import { ChildProcesses } from './helpers/child-processes.js';
import { startStandaloneWorker } from './helpers/standalone-worker.js';
import type { StandaloneWorker } from './helpers/standalone-worker.js';
import { TempDirs } from './helpers/temp-dir.js';
import { TestControlServer } from './helpers/test-control-server.js';
import { waitFor } from './helpers/wait-for.js';

// Every file a worker writes in its data root is 0600 and every folder 0700, whatever the
// umask it runs under, and files left wider by anything earlier are tightened when it starts.

const TOKEN = 'test-token-0123456789abcdef';
const temp = new TempDirs();
const children = new ChildProcesses();
let control: TestControlServer | undefined;

afterEach(async () => {
  await children.killAll();
  await control?.close();
  control = undefined;
  await temp.cleanup();
});

/** `relative path → mode` of the data root and everything in it, workspaces' contents aside. */
async function modesUnder(dataRoot: string): Promise<Record<string, string>> {
  const modes: Record<string, string> = {};
  const visit = async (path: string, insideWorkspaces: boolean): Promise<void> => {
    const info = await lstat(path);
    modes[relative(dataRoot, path) || '.'] = `${info.isDirectory() ? 'd' : 'f'}0${(info.mode & 0o777).toString(8)}`;
    if (!info.isDirectory()) return;
    // A workspace is a clone of the repository: its own tree is the repository's business.
    if (insideWorkspaces && relative(join(dataRoot, 'workspaces'), path) !== '') return;
    for (const name of await readdir(path)) await visit(join(path, name), insideWorkspaces || name === 'workspaces');
  };
  await visit(dataRoot, false);
  return modes;
}

function expectPrivate(modes: Record<string, string>): void {
  const wrong = Object.entries(modes).filter(([, mode]) => mode !== 'd0700' && mode !== 'f0600');
  expect(wrong).toEqual([]);
}

async function stop(worker: StandaloneWorker): Promise<void> {
  process.kill(worker.worker.pid, 'SIGTERM');
  expect(await worker.worker.exited).toEqual({ code: 0, signal: null });
}

describe('a worker under umask 000', () => {
  it('writes events.jsonl and state.json 0600 and its folders 0700 in a new data root', async () => {
    control = new TestControlServer({ 'acme/alpha': TOKEN });
    await control.listen();
    const worker = await startStandaloneWorker(children, await temp.make(), {
      umask: '000',
      env: { REPOVISOR_CONTROL: control.address, REPOVISOR_TOKEN: TOKEN },
    });
    // The worker really runs under umask 000.
    expect(await readFile(`/proc/${worker.worker.pid}/status`, 'utf8')).toMatch(/^Umask:\s+0000$/m);
    const accepted = await control.waitForWorker('acme/alpha');
    await waitFor('state.json with the first snapshot', async () => (JSON.parse(await readFile(join(worker.dataRoot, 'state.json'), 'utf8')) as { repo: unknown }).repo !== null);
    await accepted.connection.request(SupervisorRequests.workspaceEnsure, { issue: 1 });
    await stop(worker);
    const modes = await modesUnder(worker.dataRoot);
    expect(modes).toMatchObject({ '.': 'd0700', 'events.jsonl': 'f0600', 'state.json': 'f0600', workspaces: 'd0700', 'workspaces/issue-1': 'd0700' });
    expectPrivate(modes);
  });

  it('tightens files and folders left wider in its data root when it starts, the corrupt state moved aside included', async () => {
    const worker = await startStandaloneWorker(children, await temp.make(), {
      umask: '000',
      prepare: async (dataRoot) => {
        await mkdir(join(dataRoot, 'workspaces', 'issue-3'), { recursive: true });
        const event = JSON.stringify({ seq: 1, type: 'test.old', at: new Date().toISOString(), slug: 'acme/alpha', data: {} });
        await writeFile(join(dataRoot, 'events.jsonl'), `${event}\n`);
        await writeFile(join(dataRoot, 'events.1.jsonl'), `${event}\n`);
        await writeFile(join(dataRoot, 'state.json'), 'not json');
        for (const [path, mode] of [
          ['.', 0o777],
          ['workspaces', 0o777],
          ['workspaces/issue-3', 0o755],
          ['events.jsonl', 0o666],
          ['events.1.jsonl', 0o644],
          ['state.json', 0o644],
        ] as const) {
          await chmod(join(dataRoot, path), mode);
        }
      },
    });
    await waitFor('repo.observed in the event log', async () => (await readFile(join(worker.dataRoot, 'events.jsonl'), 'utf8')).includes('"repo.observed"'));
    await stop(worker);
    const modes = await modesUnder(worker.dataRoot);
    const aside = Object.keys(modes).filter((path) => path.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(modes).toMatchObject({ '.': 'd0700', 'events.jsonl': 'f0600', 'events.1.jsonl': 'f0600', 'state.json': 'f0600', workspaces: 'd0700', 'workspaces/issue-3': 'd0700' });
    expectPrivate(modes);
  });
});
