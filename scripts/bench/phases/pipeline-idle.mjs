// Idle memory with the pipeline on (issue 14): the RSS of standalone workers
// with the pipeline enabled and no task, of the same workers with it off, and
// of plain node HTTP servers (fixtures/http-server.mjs), all started in this
// phase and read after the same settle time; and what the worker loads at
// start with the pipeline on that it does not with it off (files, and Node's
// own modules from process.moduleLoadList), for when the ratio misses.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchEnv, spawnTracked } from '../lib/cleanup.mjs';
import { freePorts, waitUntilAnswering } from '../lib/http.mjs';
import { benchPipeline, createOriginRepo, endWorker, startPipelineWorker } from '../lib/pipeline-rig.mjs';
import { rssBytes } from '../lib/proc.mjs';

const SERVER = fileURLToPath(new URL('../fixtures/http-server.mjs', import.meta.url));
const COUNT_MODULES = fileURLToPath(new URL('../fixtures/count-modules.mjs', import.meta.url));
const LOAD_LIST = fileURLToPath(new URL('../fixtures/load-list.mjs', import.meta.url));
// Long enough for the pipeline's first poll round (it opens the change host) to have run.
const SETTLE_MS = 2000;

async function startServer() {
  const [port] = await freePorts(1);
  const child = spawnTracked(process.execPath, [SERVER], { stdio: 'ignore', env: benchEnv({ PORT: String(port) }) });
  await waitUntilAnswering([port]);
  return { child };
}

/** What a worker loads by the time it has settled: files (count-modules) and Node's modules (load-list). */
async function loaded(repo, tmp, pipeline) {
  const folder = await mkdtemp(join(tmp, 'loaded-'));
  const files = join(folder, 'modules.txt');
  const internals = join(folder, 'internals.txt');
  const { child } = await startPipelineWorker({
    repo,
    dataRoot: join(folder, 'data'),
    pipeline,
    nodeArgs: ['--import', COUNT_MODULES, '--import', LOAD_LIST],
    extraEnv: { RVBENCH_MODULES_FILE: files, RVBENCH_LOAD_LIST_FILE: internals },
  });
  await sleep(SETTLE_MS);
  await endWorker(child);
  const read = (file) => new Set(readFileSync(file, 'utf8').split('\n').filter((line) => line !== '' && !/count-modules|module-hooks|load-list/.test(line)).map((line) => line.replace(/^(cjs|esm) (file:\/\/)?/, '')));
  return { files: read(files), internals: read(internals) };
}

/** Runs the idle-memory part of the pipeline phase with `samples` processes of each kind. */
export async function pipelineIdle({ tmp, samples }) {
  const repos = [];
  for (let index = 0; index < samples; index += 1) repos.push((await createOriginRepo(join(tmp, 'pipeline-idle', `repo-${index}`))).repo);
  const rss = {};
  for (const kind of ['server', 'pipeline', 'noPipeline']) {
    const children = [];
    try {
      for (const repo of repos) {
        if (kind === 'server') children.push(await startServer());
        else children.push(await startPipelineWorker({ repo, dataRoot: await mkdtemp(join(tmp, 'idle-data-')), pipeline: kind === 'pipeline' ? benchPipeline() : null }));
      }
      await sleep(SETTLE_MS);
      rss[kind] = children.map(({ child }) => rssBytes(child.pid));
    } finally {
      await Promise.all(children.map(({ child }) => endWorker(child)));
    }
  }
  const on = await loaded(repos[0], tmp, benchPipeline());
  const off = await loaded(repos[0], tmp, null);
  const extra = (a, b) => [...a].filter((item) => !b.has(item)).sort();
  return {
    rss,
    settleMs: SETTLE_MS,
    loadedWithPipeline: { files: extra(on.files, off.files), internals: extra(on.internals, off.internals), filesTotal: on.files.size, internalsTotal: on.internals.size },
  };
}
