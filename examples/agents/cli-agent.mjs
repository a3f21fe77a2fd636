#!/usr/bin/env node
// A wrapper that makes Claude Code or Codex a Repovisor command agent:
//   node cli-agent.mjs claude -p --output-format stream-json --verbose …
//   node cli-agent.mjs codex exec --json … -
// It passes its stdin (the stage's prompt) to the program, reads the program's
// JSON lines (Claude Code's stream-json, Codex's `exec --json` JSONL) and
// prints the text of the assistant's messages line by line, so that the
// markers the model writes (PLAN_START, VERDICT: …) are lines of the agent's
// stdout, where the worker reads them; tool calls become short progress lines.
// In the implement and hitl stages, what the program changed but did not
// commit (a sandbox may keep it from writing .git) is committed for it.
// It exits with the program's exit code. Node only, no dependencies.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [program, ...args] = process.argv.slice(2);
if (program === undefined) {
  console.error('usage: node cli-agent.mjs <program> [arguments…]   (the prompt comes on stdin)');
  process.exit(2);
}

/** The lines to print for one stdout line of the program: the assistant's text, a progress line, or the line itself. */
function linesOf(line, state) {
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    return [line];
  }
  if (typeof event !== 'object' || event === null) return [line];
  // Claude Code, --output-format stream-json: assistant messages, then one result.
  if (event.type === 'assistant' && Array.isArray(event.message?.content)) {
    return event.message.content.flatMap((part) => {
      if (part.type === 'text' && typeof part.text === 'string') {
        state.spoke = true;
        return part.text.split('\n');
      }
      return part.type === 'tool_use' ? [`· ${part.name}`] : [];
    });
  }
  if (event.type === 'result') {
    // The result repeats the last message; it is the answer only when no message came.
    if (state.spoke || typeof event.result !== 'string') return event.is_error === true ? [`· the run ended with an error: ${event.subtype ?? ''}`] : [];
    return event.result.split('\n');
  }
  // Codex, exec --json: items, the agent's messages among them.
  if (event.type === 'item.completed' && event.item?.type === 'agent_message' && typeof event.item.text === 'string') {
    state.spoke = true;
    return event.item.text.split('\n');
  }
  if (event.type === 'item.completed' && event.item?.type === 'command_execution') return [`· $ ${event.item.command ?? ''}`];
  if (event.type === 'item.completed' && event.item?.type === 'file_change') return ['· changed files'];
  if (event.type === 'turn.failed' || event.type === 'error') return [`· ${event.type}: ${event.error?.message ?? event.message ?? ''}`];
  return [];
}

/** Commits what the program left uncommitted in the workspace (implement and hitl only). */
function commitLeftovers() {
  const stage = process.env.REPOVISOR_STAGE;
  if (stage !== 'implement' && stage !== 'hitl') return;
  const git = (...gitArgs) =>
    execFileSync('git', ['-c', 'user.name=Repovisor agent', '-c', 'user.email=agent@repovisor.invalid', '-c', 'commit.gpgsign=false', ...gitArgs], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  if (git('status', '--porcelain').trim() === '') return;
  git('add', '--all');
  git('commit', '--quiet', '--no-verify', '-m', `${process.env.REPOVISOR_TASK_TITLE ?? 'Agent work'} (task ${process.env.REPOVISOR_TASK_ID ?? '?'}, ${stage})`);
  console.log('· committed the changes the agent left uncommitted');
}

const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'inherit'] });
child.on('error', (error) => {
  console.error(`cli-agent: cannot run ${program}: ${error.message}; is it installed and on the worker's PATH?`);
  process.exit(127);
});
child.stdin.on('error', () => undefined);
process.stdin.pipe(child.stdin);
const state = { spoke: false };
const reading = new Promise((resolve) => {
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (line) => {
    for (const out of linesOf(line, state)) console.log(out);
  });
  lines.on('close', resolve);
});
const [code, signal] = await new Promise((resolve) => child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])));
await reading;
try {
  if (code === 0) commitLeftovers();
} catch (error) {
  console.error(`cli-agent: cannot commit the agent's changes: ${error.message}`);
  process.exitCode = 1;
}
process.exitCode ??= code ?? (signal === null ? 1 : 128);
