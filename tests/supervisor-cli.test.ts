import { afterEach, describe, expect, it } from '@jest/globals';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './helpers/child-processes.js';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

describe('the supervisor CLI against a running supervisor', () => {
  it('status, add, restart, remove and stop work, finding the home through --home and --config', async () => {
    const root = await temp.make();
    await createGitRepo(join(root, 'alpha'), { origin: 'https://github.com/acme/alpha.git' });
    const extra = await createGitRepo(join(root, 'extra'));
    const home = join(root, 'home');
    const file = await rig.writeConfig(root, `${testSupervisorSection(home)}\nrepos:\n  - path: ./alpha\n`);
    const supervisor = await rig.start(file, home);
    await rig.waitForRepo(supervisor, 'acme/alpha', 'running', (repo) => repo.status === 'running');

    const status = await rig.cli(['status', '--home', home]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^SLUG\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+LAST PROBE/);
    expect(status.stdout).toMatch(/acme\/alpha\s+running\s+\d+\s+0\s/);

    const added = await rig.cli(['add', extra, '--slug', 'tools/extra', '--config', file]);
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('added tools/extra') });
    const running = await rig.waitForRepo(supervisor, 'tools/extra', 'running', (repo) => repo.status === 'running');

    const json = await rig.cli(['status', '--json', '--config', file]);
    expect((JSON.parse(json.stdout) as { slug: string }[]).map((repo) => repo.slug)).toEqual(['acme/alpha', 'tools/extra']);

    const restarted = await rig.cli(['restart', 'tools/extra', '--home', home]);
    expect(restarted.code).toBe(0);
    expect(isAlive(running.pid ?? 0)).toBe(false);

    const duplicate = await rig.cli(['add', extra, '--home', home]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/409 .*already managed/);

    const removed = await rig.cli(['remove', 'tools/extra', '--home', home]);
    expect(removed).toMatchObject({ code: 0, stdout: 'removed tools/extra\n' });
    expect(await workerPidsUnder(join(home, 'repos', 'tools-extra'))).toEqual([]);
    // Without --purge the log stays; with it the data root and the log go.
    for (const kept of [join(home, 'logs', 'tools-extra.log'), join(home, 'logs', 'acme-alpha.log')]) await expect(stat(kept)).resolves.toBeDefined();
    const purged = await rig.cli(['remove', 'acme/alpha', '--purge', '--home', home]);
    expect(purged).toMatchObject({ code: 0, stdout: 'removed acme/alpha, its data root and its log files\n' });
    for (const gone of [join(home, 'repos', 'acme-alpha'), join(home, 'logs', 'acme-alpha.log')]) await expect(stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });

    const unknown = await rig.cli(['restart', 'nope', '--home', home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/404 Unknown repo: nope/);

    const stopped = await rig.cli(['stop', '--home', home]);
    expect(stopped.code).toBe(0);
    expect(await supervisor.child.exited).toEqual({ code: 0, signal: null });
    expect(await workerPidsUnder(home)).toEqual([]);
  });

  it('exits 2 on a usage error and 1 when no supervisor runs on the home', async () => {
    const root = await temp.make();
    const usage = await rig.cli(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/unknown command/);
    const missing = await rig.cli(['start']);
    expect(missing.code).toBe(2);
    const none = await rig.cli(['status', '--home', join(root, 'nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Is a supervisor running with this home\?/);
    const noStop = await rig.cli(['stop', '--home', join(root, 'nothing-here')]);
    expect(noStop.code).toBe(1);
    expect(noStop.stderr).toMatch(/No supervisor is running/);
    const help = await rig.cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/start \[options\] <repos.yaml>/);
  });
});
