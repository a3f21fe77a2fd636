import type { Command } from 'commander';
import { loadEventsCommand, loadLogsCommand } from '../lazy-modules.js';
import type { EventsOptions } from './events-command.js';
import type { LogsOptions } from './logs-command.js';

/** Adds `--home` and `--config` (how a client command finds its supervisor) to a command. */
type WithHomeOptions = (command: Command) => Command;

/**
 * Adds the commands an operator watches a repo with: `events` (its event
 * stream, through the supervisor's `/ws`) and `logs` (its worker's log file).
 * Their code loads only when one runs.
 */
export function addMonitorCommands(program: Command, homeOptions: WithHomeOptions): void {
  homeOptions(program.command('events').description("print a repo's events (or every repo's with --all): the replay, then with -f the live ones"))
    .argument('[slug]', 'the repo')
    .option('--all', 'every repo, each line tagged with its repo')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--json', 'print the raw frames, one JSON object a line')
    .option('--since <id>', 'only the events after this id')
    .action(async (slug: string | undefined, options: EventsOptions) => (await loadEventsCommand()).eventsCommand(slug, options));

  homeOptions(program.command('logs').description("print the last lines of a repo's worker log; -f follows it across rotations"))
    .argument('<slug>', 'the repo')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('-n, --lines <n>', 'how many lines to print first', '50')
    .option('--json', 'print the lines as they are (the JSON the worker wrote), even on a terminal')
    .option('--pretty', 'format the lines as on a terminal, even when stdout is not one')
    .action(async (slug: string, options: LogsOptions) => (await loadLogsCommand()).logsCommand(slug, options));
}
