import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestChild } from './helpers/child-processes.js';
import { startWithRepos } from './helpers/claims-config.js';
import { SUPERVISOR_MAIN } from './helpers/paths.js';
import { startPipelineSupervisor } from './helpers/pipeline-supervisor.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The operator's watching commands against a real supervisor: `events`
// (through its /ws), `logs` (the worker's log file, followed across the
// supervisor's rotation) and `status --watch`. Follow modes are ended by the
// test, by pid, with SIGINT (Ctrl-C), and must then exit 0.

const temp = new TempDirs();
const rig = new SupervisorRig();
afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

/** Starts a CLI command that runs until it is interrupted; `rig.cleanup` ends it if the test does not. */
function follow(args: string[]): TestChild {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REPOVISOR_')));
  return rig.children.start(process.execPath, [SUPERVISOR_MAIN, ...args], { env });
}

async function interrupt(child: TestChild): Promise<number | null> {
  process.kill(child.pid, 'SIGINT');
  return (await child.exited).code;
}

describe('supervisor events', () => {
  it('prints the replay, one readable line an event, and ends; --json prints the raw frames; --all tags every repo', async () => {
    const supervisor = await startPipelineSupervisor(rig, temp);
    const home = ['--home', supervisor.home];
    const lines = await rig.cli(['events', 'acme/alpha', ...home]);
    expect(lines).toMatchObject({ code: 0, stderr: '' });
    expect(lines.stdout).toMatch(/^\S+Z acme\/alpha - repo_state status=running pid=\d+ restarts=0 last_error=null$/m);
    expect(lines.stdout).toMatch(/^\S+Z acme\/alpha #\d+ runtime\.started /m);

    const json = await rig.cli(['events', 'acme/alpha', '--json', ...home]);
    const frames = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number | null; repo: string; type: string });
    expect(frames.every((frame) => frame.repo === 'acme/alpha')).toBe(true);
    const ids = frames.flatMap((frame) => (frame.id === null ? [] : [frame.id]));
    const middle = ids[Math.floor(ids.length / 2)] ?? 0;
    const since = await rig.cli(['events', 'acme/alpha', '--json', '--since', String(middle), ...home]);
    const later = since.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number | null });
    expect(later.flatMap((frame) => (frame.id === null ? [] : [frame.id]))).toEqual(ids.filter((id) => id > middle));

    const all = await rig.cli(['events', '--all', ...home]);
    expect(all.code).toBe(0);
    for (const slug of ['acme/alpha', 'solo', 'acme/idle']) expect(all.stdout).toContain(` ${slug} - repo_state `);
    expect(all.stdout).toMatch(/ solo #\d+ runtime\.started /);
  });

  it('follows with -f until Ctrl-C, and fails with the reason for an unknown repo', async () => {
    const supervisor = await startPipelineSupervisor(rig, temp);
    const child = follow(['events', 'acme/alpha', '-f', '--home', supervisor.home]);
    await waitFor('the replay', () => child.stdout().includes('runtime.started'));
    expect((await rig.api(supervisor, 'POST', '/api/repos/acme/alpha/tasks', { title: 'Followed', body: 'Watch it.' })).status).toBe(201);
    await waitFor('a live phase_change', () => /acme\/alpha #\d+ phase_change issue=1 title=Followed /.test(child.stdout()), 60_000);
    expect(await interrupt(child)).toBe(0);

    const unknown = await rig.cli(['events', 'acme/nowhere', '--home', supervisor.home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('The event stream closed (1008): Unknown repo: acme/nowhere');
    expect((await rig.cli(['events', '--home', supervisor.home])).code).toBe(2);
  });
});

describe('supervisor logs', () => {
  it('prints the last -n lines raw, pretty with --pretty, and -f follows the log across a rotation', async () => {
    const supervisor = await startWithRepos(rig, await temp.make(), { log_max_bytes: 8192 }, [{ slug: 'acme/alpha' }]);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const log = join(supervisor.home, 'logs', 'acme-alpha.log');
    // The worker's own start-up lines end with its hello; after it, an idle worker writes nothing the test could interleave with.
    await waitFor("the worker's hello in its log", async () => (await readFile(log, 'utf8').catch(() => '')).includes('connected to the supervisor'));
    const written = Date.now();
    const line = (msg: string) => `${JSON.stringify({ level: 30, time: written, msg })}\n`;
    await appendFile(log, line('one') + line('two') + line('three'));
    const last = await rig.cli(['logs', 'acme/alpha', '-n', '2', '--home', supervisor.home]);
    expect(last).toMatchObject({ code: 0, stdout: line('two') + line('three') });
    const pretty = await rig.cli(['logs', 'acme-alpha', '-n', '1', '--pretty', '--home', supervisor.home]);
    expect(pretty.stdout).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: three\n$/);

    const child = follow(['logs', 'acme/alpha', '-f', '-n', '1', '--json', '--home', supervisor.home]);
    // Appended only once the follower has read the log: it follows from where it read it to.
    await waitFor('the last line', () => child.stdout().includes('three'));
    await appendFile(log, line('while-followed'));
    await waitFor('the new line', () => child.stdout().includes('while-followed'));
    await appendFile(log, line(`flood ${'x'.repeat(600)}`).repeat(20));
    await waitFor('the rotation', async () => (await readFile(`${log}.1`, 'utf8').catch(() => '')).includes('flood'));
    await waitFor('the log emptied', async () => !(await readFile(log, 'utf8')).includes('flood'));
    await appendFile(log, line('after-rotation'));
    await waitFor('the line after the rotation', () => child.stdout().includes('after-rotation'));
    expect(await interrupt(child)).toBe(0);

    const unknown = await rig.cli(['logs', 'acme/nowhere', '--home', supervisor.home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Cannot read the log of acme/nowhere');
  });
});

describe('supervisor status --watch', () => {
  it('redraws the table every interval until Ctrl-C', async () => {
    const supervisor = await startWithRepos(rig, await temp.make(), {}, [{ slug: 'acme/alpha' }]);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');
    const child = follow(['status', '--watch', '--interval', '200', '--home', supervisor.home]);
    await waitFor('three tables', () => child.stdout().split('Every 0.2s: supervisor status').length > 3);
    expect(child.stdout()).toMatch(/^acme\/alpha +running /m);
    expect(await interrupt(child)).toBe(0);
  });
});
