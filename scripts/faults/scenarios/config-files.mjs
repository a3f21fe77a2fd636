// Bad repos.yaml files: each is refused before anything starts (exit 2, every problem by its path), aimed at a live home.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGitRepo } from '../lib/git-repos.mjs';
import { guardedSupervisor } from '../lib/guarded-fixture.mjs';
import { cleanEnv, killGroup } from '../lib/processes.mjs';
import { SUPERVISOR_MAIN } from '../lib/supervisor.mjs';
import { check, sleep } from '../lib/wait.mjs';

export const title = 'repos.yaml: malformed, wrong types, unknown keys, duplicates, huge, alias bomb';

/** Runs `supervisor start <file>` and resolves with its exit and output (killed after `deadlineMs`: a hang is a failure). */
async function startCli(ctx, file, deadlineMs = 60_000) {
  const child = ctx.processes.start(process.execPath, [SUPERVISOR_MAIN, 'start', file, '--no-pretty'], { env: cleanEnv() });
  const hung = sleep(deadlineMs).then(() => 'hung');
  if ((await Promise.race([child.exited, hung])) === 'hung') {
    killGroup(child.pid);
    throw new Error(`supervisor start ${file} did not exit within ${deadlineMs} ms`);
  }
  return { ...(await child.exited), stdout: child.stdout(), stderr: child.stderr() };
}

/** Runs the repos.yaml inputs under `ctx`. */
export async function run(ctx) {
  const { folder, home, supervisor, guard, configRepo } = await guardedSupervisor(ctx, 'config-files');
  const bad = join(folder, 'bad');
  await mkdir(bad);
  const good = await createGitRepo(join(bad, 'good'));
  await mkdir(join(bad, 'plain'));
  await symlink(good, join(bad, 'good-link'));
  const head = `supervisor:\n  home: ${JSON.stringify(home)}\n`;
  let count = 0;

  /** Writes `content` as a repos.yaml; `supervisor start` must exit 2 naming every pattern, and the live home must be untouched. */
  const refused = (name, content, patterns, { exitCode = 2, path } = {}) =>
    guard.badInput(name, async () => {
      count += 1;
      const file = path ?? join(bad, `repos-${count}.yaml`);
      if (content !== undefined) await writeFile(file, content);
      const result = await startCli(ctx, file);
      check(result.code === exitCode, `exit ${JSON.stringify({ code: result.code, signal: result.signal })}, expected ${exitCode}; stderr: ${result.stderr.slice(0, 300)}`);
      for (const pattern of patterns) check(pattern.test(result.stderr), `stderr does not match ${pattern}: ${result.stderr.slice(0, 400)}`);
      check(Number((await readFile(join(home, 'supervisor.pid'), 'utf8')).trim()) === supervisor.pid, 'supervisor.pid of the live home changed');
      check((await supervisor.workerPids()).length === 2, 'a worker was started or stopped');
      const problem = result.stderr.split('\n').find((line) => line.startsWith('  - ') || line.includes('Another supervisor')) ?? result.stderr.split('\n')[0];
      return `exit ${result.code}: ${problem.trim().slice(0, 130)}`;
    });
  const invalid = /Invalid configuration/;

  await refused('malformed YAML (an unclosed flow sequence)', `${head}repos: [\n  - path: ./good\n`, [invalid, /\(yaml\)/]);
  await refused('malformed YAML (bad indentation)', `${head} repos:\n- path: x\n   slug: y\n`, [invalid, /\(yaml\)/]);
  await refused('a tab-indented YAML file', `${head}repos:\n\t- path: ./good\n`, [invalid]);
  await refused('a duplicate mapping key', `${head}  home: /elsewhere\nrepos: []\n`, [invalid, /Map keys must be unique/]);
  await refused('http.port as a string', `${head}  http: {port: "eighty"}\n`, [invalid, /supervisor\.http\.port/]);
  await refused('http.port out of range', `${head}  http: {port: 70000}\n`, [invalid, /supervisor\.http\.port: must be a whole number from 0 to 65535/]);
  await refused('health.interval_ms negative and restart delays inverted', `${head}  health: {interval_ms: -5}\n  restart: {initial_delay_ms: 2000, max_delay_ms: 1000}\n`, [invalid, /supervisor\.health\.interval_ms/, /supervisor\.restart\.max_delay_ms/]);
  await refused('repos as a string', `${head}repos: "all of them"\n`, [invalid, /repos/]);
  await refused('autostart as a string and env values as numbers', `${head}repos:\n  - path: ./good\n    autostart: "yes"\n    env: {PORT: 8080}\n`, [invalid, /repos\[0\]\.autostart/, /repos\[0\]\.env\.PORT: must be a string/]);
  await refused('a reserved REPOVISOR_ variable in env', `${head}repos:\n  - path: ./good\n    env: {REPOVISOR_TOKEN: stolen}\n`, [invalid, /repos\[0\]\.env\.REPOVISOR_TOKEN: is reserved/]);
  await refused('an unknown key under supervisor', `${head}  colour: blue\n`, [invalid, /supervisor\.colour: unknown key/]);
  await refused('an unknown key in a repo entry', `${head}repos:\n  - path: ./good\n    branch: main\n`, [invalid, /repos\[0\]\.branch/]);
  await refused('an unknown top-level key', `${head}workers: 3\n`, [invalid, /workers/]);
  await refused('a top-level scalar', '42\n', [invalid]);
  await refused('a slug with ".."', `${head}repos:\n  - path: ./good\n    slug: "../evil"\n`, [invalid, /repos\[0\]\.slug: invalid slug "\.\.\/evil"/]);
  await refused('duplicate slugs', `${head}repos:\n  - path: ./good\n    slug: acme/x\n  - path: ${JSON.stringify(configRepo)}\n    slug: acme/x\n`, [invalid, /already used by repos\[0\]/]);
  await refused('slugs that collide in another spelling', `${head}repos:\n  - path: ./good\n    slug: acme/x\n  - path: ${JSON.stringify(configRepo)}\n    slug: Acme-X\n`, [invalid, /collides with "acme\/x"/]);
  await refused('duplicate paths', `${head}repos:\n  - path: ./good\n  - path: ./good/\n    slug: other\n`, [invalid, /same folder as repos\[0\]\.path/]);
  await refused('duplicate paths through a symlink', `${head}repos:\n  - path: ./good\n  - path: ./good-link\n    slug: other\n`, [invalid, /same folder as repos\[0\]\.path/]);
  await refused('a missing folder and a folder that is not a repository', `${head}repos:\n  - path: ./missing\n  - path: ./plain\n`, [invalid, /repos\[0\]\.path: .* does not exist/, /repos\[1\]\.path: .* is not a git repository/]);
  await refused('a 2 MiB file', `${head}${'# padding padding padding padding padding padding padding padding\n'.repeat(32 * 1024)}`, [invalid, /over the limit of 1048576 bytes/]);
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
    const previous = index === 0 ? 'a' : ['b', 'c', 'd', 'e', 'f', 'g', 'h'][index - 1];
    bomb.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  await refused('a YAML alias bomb (9^9 expansions)', `${bomb.join('\n')}\n${head}`, [invalid, /aliases expand more than 100 times/]);
  await refused('binary garbage', undefined, [invalid], { path: await binaryFile(bad) });
  await refused('a folder instead of a file', undefined, [invalid, /not a regular file/], { path: join(bad, 'plain') });
  await refused('a file that does not exist', undefined, [invalid, /not found/], { path: join(bad, 'nope.yaml') });
  await refused('a valid file for the home of a running supervisor', `${head}repos: []\n`, [new RegExp(`Another supervisor \\(pid ${supervisor.pid}\\) is already running`)], { exitCode: 1 });
}

async function binaryFile(folder) {
  const path = join(folder, 'binary.yaml');
  const bytes = Buffer.alloc(4096);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 7919 + 13) % 256;
  await writeFile(path, bytes);
  return path;
}
