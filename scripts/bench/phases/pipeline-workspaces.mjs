// Task workspaces on a large repository (issue 14): the worker's own
// TaskWorkspaces (from the built packages/worker/dist, the code a worker
// runs) preparing a task's workspace for the first time (a `git clone --local
// --no-checkout`, then fetch and checkout of the branch) and preparing it
// again after an agent left a commit and stray files (fetch, reset, checkout,
// clean), on a repository of lib/large-repo.mjs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLargeRepo } from '../lib/large-repo.mjs';

const run = promisify(execFile);
const WORKER_DIST = new URL('../../../packages/worker/dist/pipeline/git/', import.meta.url);

/** Runs the workspace part of the pipeline phase: `runs` tasks' workspaces made, then each prepared again. */
export async function pipelineWorkspaces({ tmp, files, commits, runs, progress }) {
  const { TaskWorkspaces } = await import(new URL('task-workspaces.js', WORKER_DIST).href);
  const { resolveRemoteTarget } = await import(new URL('remote-target.js', WORKER_DIST).href);
  const made = performance.now();
  const { repo } = await createLargeRepo(join(tmp, 'pipeline-large'), { files, commits });
  const madeS = (performance.now() - made) / 1000;
  const resolved = await resolveRemoteTarget({ repoPath: repo, remote: 'origin', baseBranch: null });
  if (!resolved.ok) throw new Error(`the large repository has no usable remote: ${resolved.message}`);
  const workspaces = new TaskWorkspaces(repo, join(tmp, 'pipeline-large-data'), resolved.target);
  const prepare = async (id, expectCreated) => {
    const started = performance.now();
    const prepared = await workspaces.prepare(id);
    const ms = performance.now() - started;
    if (!prepared.ok) throw new Error(`preparing the workspace of task ${id} failed: ${prepared.message}`);
    if (prepared.workspace.created !== expectCreated) throw new Error(`the workspace of task ${id} was ${prepared.workspace.created ? 'made again' : 'reused'}, not as expected`);
    return { ms, path: prepared.workspace.path };
  };
  const first = [];
  const again = [];
  for (let id = 1; id <= runs; id += 1) {
    const made = await prepare(id, true);
    first.push(made.ms);
    // What an agent's run leaves: a commit (not pushed), an edited file and an untracked one.
    await writeFile(join(made.path, 'agent-note.txt'), 'left by an agent\n');
    await run('git', ['-C', made.path, 'add', 'agent-note.txt']);
    await run('git', ['-C', made.path, '-c', 'user.name=Bench Agent', '-c', 'user.email=agent@repovisor.invalid', 'commit', '-q', '-m', 'agent work']);
    await writeFile(join(made.path, 'src', 'd0000', 'f000.txt'), 'edited, not committed\n');
    await writeFile(join(made.path, 'scratch.txt'), 'untracked\n');
    again.push((await prepare(id, false)).ms);
    await workspaces.remove(id);
  }
  progress(`pipeline workspaces: ${files} files, first prepare ${Math.round(Math.min(...first))}–${Math.round(Math.max(...first))} ms, again ${Math.round(Math.min(...again))}–${Math.round(Math.max(...again))} ms`);
  return { files, commits, repoMadeS: madeS, runs, firstMs: first, againMs: again };
}
