// The README's first command (`npm start`): creates the demo repositories and
// their origins, runs `supervisor start examples/repos.yaml` in the foreground,
// and once it answers seeds a few tasks in every repo that runs the pipeline
// (none when a repo has tasks already). Ctrl-C stops the supervisor, every
// worker and every agent.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoRepos } from './create-demo-repos.mjs';
import { seedDemoTasks, supervisorClient } from './demo-tasks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
createDemoRepos();
const config = join(root, 'examples', 'repos.yaml');
const home = join(root, 'examples', '.repovisor');
const supervisor = spawn(process.execPath, [join(root, 'packages', 'supervisor', 'dist', 'bundle', 'supervisor.cjs'), 'start', config, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let running = true;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => supervisor.kill(signal));
supervisor.on('exit', (code, signal) => {
  running = false;
  process.exit(code ?? (signal ? 1 : 0));
});

const TRY = `
In another terminal, try:
  npx supervisor tasks acme/alpha --config examples/repos.yaml      # the tasks and their stages (done within a minute)
  npx supervisor task show acme/alpha 1 --config examples/repos.yaml  # one task's history and its agent's last lines
  npx supervisor hitl acme/alpha --config examples/repos.yaml       # what waits for a human
  git -C examples/origins/alpha.git log --oneline                     # the merged commits on the demo origin
  npx repovisor status --config examples/repos.yaml
  curl http://127.0.0.1:8765/api/repos/acme/alpha/pipeline
Add a task of your own (the scripted agent reads [not-ready] and [already-done] in it):
  npx supervisor task add acme/alpha --title 'Add a license' --body 'MIT' --config examples/repos.yaml
Ctrl-C here stops the supervisor, its workers and their agents.
`;

if (supervisor.pid !== undefined) {
  try {
    const call = await supervisorClient(home, supervisor.pid, () => running);
    const report = await seedDemoTasks(call);
    process.stderr.write(`\nDemo tasks:\n${report.map((line) => `  ${line}\n`).join('')}${TRY}\n`);
  } catch (error) {
    if (running) process.stderr.write(`\nThe demo tasks were not added: ${error.message}\n${TRY}\n`);
  }
}
