// The README's first command (`npm start`): creates the demo repositories and
// runs `supervisor start examples/repos.yaml` in the foreground. Ctrl-C stops
// the supervisor and every worker.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoRepos } from './create-demo-repos.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
createDemoRepos();
const config = join(root, 'examples', 'repos.yaml');
const supervisor = spawn(process.execPath, [join(root, 'packages', 'supervisor', 'dist', 'bundle', 'supervisor.cjs'), 'start', config, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.stderr.write(
  `\nIn another terminal, try:\n` +
    `  npx repovisor status --config examples/repos.yaml\n` +
    `  curl http://127.0.0.1:8765/api/repos\n` +
    `  curl http://127.0.0.1:8765/api/repos/acme/alpha/runtimes\n\n`,
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => supervisor.kill(signal));
supervisor.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
