import type { Command } from 'commander';
import { loadPipelineCommands as commands } from '../lazy-modules.js';
import type { HomeOptions } from './find-home.js';
import type { hitlCommand, hitlCorrectCommand, hitlDecisionCommand, taskAddCommand, taskShowCommand, tasksCommand } from './pipeline-commands.js';

/** Adds `--home` and `--config` (how a client command finds its supervisor) to a command. */
type WithHomeOptions = (command: Command) => Command;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Adds the pipeline's commands to the program: `tasks`, `task add`, `task show`,
 * `hitl` and `hitl correct|skip|close`. Their code loads only when one runs.
 */
export function addPipelineCommands(program: Command, homeOptions: WithHomeOptions): void {
  homeOptions(program.command('tasks').description("list a repo's pipeline tasks: stage, status, attempts, change"))
    .argument('<slug>', 'the repo')
    .option('--json', 'print the tasks as JSON')
    .action(async (slug: string, options: Parameters<typeof tasksCommand>[1]) => (await commands()).tasksCommand(slug, options));

  const task = program.command('task').description("add a task to a repo's pipeline (task add <slug> --title …), or show one (task show <slug> <id>)");
  homeOptions(task.command('add').description('create a task (it starts at triage)'))
    .argument('<slug>', 'the repo')
    .requiredOption('--title <title>', 'the task title (at most 200 characters)')
    .option('--body <text>', 'the task body')
    .option('--body-file <file>', "read the body from a file ('-': stdin)")
    .option('--label <label>', 'a label (repeat for more)', collect)
    .option('--json', 'print the new task as JSON')
    .action(async (slug: string, options: Parameters<typeof taskAddCommand>[1]) => (await commands()).taskAddCommand(slug, options));
  homeOptions(task.command('show').description("show a task, its history and the last lines of its latest agent run's transcript"))
    .argument('<slug>', 'the repo')
    .argument('<id>', 'the task id')
    .option('--lines <n>', 'how many transcript lines (1-1000)', '20')
    .option('--json', 'print {task, transcript} as JSON')
    .action(async (slug: string, id: string, options: Parameters<typeof taskShowCommand>[2]) => (await commands()).taskShowCommand(slug, id, options));

  // Positional options (here and in the program): `--home` after `hitl correct` is the subcommand's;
  // one before it is this command's, which its subcommands inherit.
  program.enablePositionalOptions();
  const hitl = homeOptions(program.command('hitl').description('list the tasks waiting for a human; hitl correct|skip|close <slug> <id> acts on one').enablePositionalOptions())
    .argument('<slug>', 'the repo')
    .option('--json', 'print the items as JSON')
    .action(async (slug: string, options: Parameters<typeof hitlCommand>[1]) => (await commands()).hitlCommand(slug, options));
  homeOptions(hitl.command('correct').description('send a correction: the task goes back to the stage it came from'))
    .argument('<slug>', 'the repo')
    .argument('<id>', 'the task id')
    .option('--correction <text>', 'what the agent should do differently')
    .option('--correction-file <file>', "read the correction from a file ('-': stdin)")
    .action(async (slug: string, id: string, options: Parameters<typeof hitlCorrectCommand>[2]) => (await commands()).hitlCorrectCommand(slug, id, { ...hitl.opts<HomeOptions>(), ...options }));
  for (const [decision, description] of [
    ['skip', 'park the task (it leaves the queue, unfinished)'],
    ['close', 'close the task (it is ended)'],
  ] as const) {
    homeOptions(hitl.command(decision).description(description))
      .argument('<slug>', 'the repo')
      .argument('<id>', 'the task id')
      .action(async (slug: string, id: string, options: Parameters<typeof hitlDecisionCommand>[3]) => (await commands()).hitlDecisionCommand(decision, slug, id, { ...hitl.opts<HomeOptions>(), ...options }));
  }
}
