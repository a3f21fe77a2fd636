#!/usr/bin/env node
// The fault suite: `npm run test:faults`. Kills, freezes, floods and corrupts a real supervisor,
// real workers and real git repositories in a temporary folder, then prints one table.
import { rm } from 'node:fs/promises';
import { makeTempRoot } from './lib/git-repos.mjs';
import { GroupContext } from './lib/group-context.mjs';
import { readOptions } from './lib/options.mjs';
import { killGroup, pidsUnder, Processes } from './lib/processes.mjs';
import { printReport } from './lib/report.mjs';
import { Tally } from './lib/tally.mjs';
import * as kills from './scenarios/kills.mjs';
import * as supervisorCrash from './scenarios/supervisor-crash.mjs';
import * as corruption from './scenarios/corruption.mjs';
import * as controlPort from './scenarios/control-port.mjs';
import * as httpApi from './scenarios/http-api.mjs';
import * as configFiles from './scenarios/config-files.mjs';
import * as workerEnv from './scenarios/worker-env.mjs';
import * as load from './scenarios/load.mjs';

const GROUPS = { kills, 'supervisor-crash': supervisorCrash, corruption, 'control-port': controlPort, 'http-api': httpApi, 'config-files': configFiles, 'worker-env': workerEnv, load };

const options = readOptions(process.argv.slice(2));
const unknown = (options.only ?? []).filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  console.error(`test:faults: unknown group(s) ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}
const startedAt = Date.now();
const tally = new Tally();
const processes = new Processes();
const root = await makeTempRoot();
let ending = false;

/** Ends every process this run started and every process under its folder, by pid; removes the folder. */
async function cleanUp() {
  await processes.endAll();
  for (const pid of await pidsUnder(root)) killGroup(pid);
  if (!options.keep) await rm(root, { recursive: true, force: true }).catch(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (ending) return;
    ending = true;
    console.log(`\n${signal}: ending every process of the run…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

console.log(`Repovisor fault suite: temporary folder ${root}${options.quick ? ' (quick mode)' : ''}`);
for (const [name, group] of Object.entries(GROUPS)) {
  if (options.only !== undefined && !options.only.includes(name)) continue;
  if (ending) break;
  const ctx = new GroupContext(tally, processes, root, options);
  tally.begin(name, group.title);
  try {
    await group.run(ctx);
  } catch (error) {
    tally.broken(`${name} (the group stopped here)`, error);
  } finally {
    await ctx.finish().catch((error) => tally.broken(`${name}: clean-up`, error));
  }
}

if (!ending) {
  // Anything of this run still running now was left behind.
  const left = await pidsUnder(root);
  if (left.length > 0) {
    tally.group = 'end of run';
    tally.leftBehind += left.length;
    tally.broken('final /proc scan', new Error(`${left.length} process(es) with REPOVISOR_DATA_ROOT under ${root}: ${left.join(', ')}`));
  }
  const reasons = printReport(tally, options, startedAt);
  await cleanUp();
  if (options.keep) console.log(`kept ${root}`);
  process.exit(reasons.length === 0 ? 0 : 1);
}
