import { afterEach, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from './helpers/git-repo.js';
import { SupervisorRig, testSupervisorSection, workerPidsUnder } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

const temp = new TempDirs();
const rig = new SupervisorRig();
const homes: string[] = [];

afterEach(async () => {
  await rig.cleanup();
  // Workers a failed start left behind (none, when it works) are ended by pid.
  for (const home of homes.splice(0)) for (const pid of await workerPidsUnder(home)) process.kill(pid, 'SIGKILL');
  await temp.cleanup();
});

describe('a supervisor whose HTTP port is taken', () => {
  it('fails with "Cannot listen on …" before it launches any worker, and leaves no file of its run', async () => {
    const first = await rig.startOneRepo(await temp.make());
    const taken = Number(new URL(first.url).port);

    const root = await temp.make();
    const home = join(root, 'home');
    const lines: string[] = [];
    for (let index = 0; index < 3; index += 1) lines.push(`  - {path: ${JSON.stringify(await createGitRepo(join(root, `repo-${index}`)))}, slug: acme/repo-${index}}`);
    const section = testSupervisorSection(home).replace('http: {host: 127.0.0.1, port: 0}', `http: {host: 127.0.0.1, port: ${taken}}`);
    const file = await rig.writeConfig(root, `${section}\nrepos:\n${lines.join('\n')}\n`);
    homes.push(home);
    const result = await rig.cli(['start', file, '--no-pretty', '--log-level', 'debug']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^supervisor: Cannot start the supervisor: Cannot listen on 127\\.0\\.0\\.1:${taken} for the HTTP API: listen EADDRINUSE: [^\\n]*\\n$`));
    expect(result.stdout).not.toContain('worker launched');
    expect(await workerPidsUnder(home)).toEqual([]);
    // No worker ever ran: no log file, no data root; the lock and the port file are gone.
    expect(await readdir(join(home, 'logs'))).toEqual([]);
    expect(await readdir(join(home, 'repos'))).toEqual([]);
    const files = await readdir(home);
    expect(files).not.toContain('supervisor.pid');
    expect(files).not.toContain('supervisor-port');
    // The first supervisor is untouched.
    expect(first.child.child.exitCode).toBeNull();
    expect((await rig.repos(first)).map((repo) => repo.slug)).toEqual(['acme/alpha']);
  });
});
