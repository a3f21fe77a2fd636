#!/usr/bin/env node
/**
 * `supervisor` (or `repovisor`): Repovisor's command line. `start` runs a supervisor in the
 * foreground; the other commands talk to a running one over its HTTP API.
 */
import { Command, CommanderError, Option } from 'commander';
import type { addCommand, removeCommand, restartCommand, statusCommand, stopCommand } from './client-commands.js';
import { loadClientCommands as client, loadStartCommand } from '../lazy-modules.js';
import { CliError, ExitCode } from './exit-codes.js';
import { addMonitorCommands } from './monitor-program.js';
import { addPipelineCommands } from './pipeline-program.js';
import { programName } from './program-name.js';

const name = programName(process.argv[1]);

const program = new Command(name)
  .description('Repovisor: one isolated worker process per git repository, probed and kept alive.')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError(`(run ${name} --help for usage)`);

const homeOptions = (command: Command) =>
  command
    .option('--home <dir>', "the supervisor's home (default: REPOVISOR_HOME, else the home of --config or ./repos.yaml, else ./.repovisor)")
    .option('--config <repos.yaml>', 'find the home through this configuration file');

program
  .command('start')
  .description('run the supervisor in the foreground for the repositories of a repos.yaml')
  .argument('<repos.yaml>', 'the configuration file')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
  .option('--no-pretty', 'JSON logs even on a terminal')
  .action(async (file: string, options: { logLevel: string; pretty: boolean }) => {
    const { startCommand } = await loadStartCommand();
    await startCommand(file, { logLevel: options.logLevel, pretty: options.pretty === false ? false : undefined });
  });

homeOptions(program.command('status').description('show every repo: state, pid, restarts, uptime, last probe'))
  .option('--json', 'print the repos as JSON')
  .option('-w, --watch', 'redraw the table every --interval until Ctrl-C')
  .option('--interval <ms>', 'how often --watch redraws', '2000')
  .action(async (options: Parameters<typeof statusCommand>[0]) => (await client()).statusCommand(options));

homeOptions(program.command('add').description('register a git repository and start its worker'))
  .argument('<path>', 'path of the git repository')
  .option('--slug <slug>', 'owner/repo or name (default: from the origin remote, else the folder name)')
  .option('--no-autostart', 'register without starting')
  .action(async (path: string, options: Parameters<typeof addCommand>[1]) => (await client()).addCommand(path, options));

homeOptions(program.command('remove').description("stop a repo's worker and forget the repo"))
  .argument('<slug>', 'the repo')
  .option('--purge', "also delete the repo's data root and its log files")
  .action(async (slug: string, options: Parameters<typeof removeCommand>[1]) => (await client()).removeCommand(slug, options));

homeOptions(program.command('restart').description("stop and start a repo's worker"))
  .argument('<slug>', 'the repo')
  .action(async (slug: string, options: Parameters<typeof restartCommand>[1]) => (await client()).restartCommand(slug, options));

homeOptions(program.command('stop').description('stop the running supervisor and all its workers'))
  .option('--timeout <ms>', 'how long to wait for it to exit', '60000')
  .action(async (options: Parameters<typeof stopCommand>[0]) => (await client()).stopCommand(options));

addPipelineCommands(program, homeOptions);
addMonitorCommands(program, homeOptions);

// No top-level await: the program is bundled as CommonJS (scripts/build/bundle.mjs).
program.parseAsync(process.argv).then(
  () => {
    process.exitCode = ExitCode.Ok;
  },
  (error: unknown) => {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    } else if (error instanceof CliError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`${name}: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = ExitCode.Failure;
    }
  },
);
