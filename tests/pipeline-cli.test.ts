import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPipelineSupervisor, taskInHitl, waitForTask } from './helpers/pipeline-supervisor.js';
import type { ApiTask, PipelineSupervisor } from './helpers/pipeline-supervisor.js';
import { SupervisorRig } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';

// `supervisor tasks`, `task add|show` and `hitl …` (docs/CLI.md) against a
// real supervisor whose repo runs the pipeline: their output, their --json,
// and the worker's 4xx messages passed through with exit code 1.
const temp = new TempDirs();
const rig = new SupervisorRig();
let supervisor: PipelineSupervisor;
let waiting: ApiTask;
let files: string;

beforeAll(async () => {
  supervisor = await startPipelineSupervisor(rig, temp);
  waiting = await taskInHitl(rig, supervisor, 'cli task');
  files = await temp.make();
}, 180_000);

afterAll(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const cli = (args: string[], input?: string) => rig.cli([...args, '--home', supervisor.home], undefined, {}, input);

describe('the pipeline commands of the CLI', () => {
  it('task add prints the new task\'s id and stage, reading the body inline, from a file or from stdin', async () => {
    const inline = await cli(['task', 'add', 'acme/alpha', '--title', 'inline body', '--body', 'the body', '--label', 'a', '--label', 'b']);
    expect(inline.stderr).toBe('');
    expect(inline).toMatchObject({ code: 0, stdout: expect.stringMatching(/^added task \d+ to acme\/alpha: triage \(queued\)\n$/) });
    const file = join(files, 'body.md');
    await writeFile(file, 'from a file\nline two\n');
    const fromFile = await cli(['task', 'add', 'acme-alpha', '--title', 'file body', '--body-file', file, '--json']);
    expect(fromFile.code).toBe(0);
    const created = JSON.parse(fromFile.stdout) as ApiTask;
    expect(created).toMatchObject({ title: 'file body', body: 'from a file\nline two\n', stage: 'triage' });
    const fromStdin = await cli(['task', 'add', 'acme/alpha', '--title', 'stdin body', '--body-file', '-', '--json'], 'piped in\n');
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ title: 'stdin body', body: 'piped in\n' });
  });

  it('task add refuses a body given twice or not at all (exit 2), and passes back the 400 of a long title and the 413 of a large body (exit 1)', async () => {
    const twice = await cli(['task', 'add', 'acme/alpha', '--title', 't', '--body', 'b', '--body-file', '-'], '');
    expect(twice).toMatchObject({ code: 2, stdout: '', stderr: 'supervisor: Give either --body or --body-file, not both\n' });
    const none = await cli(['task', 'add', 'acme/alpha', '--title', 't']);
    expect(none).toMatchObject({ code: 2, stderr: "supervisor: Missing --body <text> or --body-file <file> ('-' reads stdin)\n" });
    const missing = await cli(['task', 'add', 'acme/alpha', '--title', 't', '--body-file', join(files, 'nope.md')]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^supervisor: Cannot read --body-file .*nope\.md: ENOENT/) });
    const long = await cli(['task', 'add', 'acme/alpha', '--title', 'x'.repeat(201), '--body', 'b']);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/^supervisor: POST \/api\/repos\/acme\/alpha\/tasks: 400 the new task is not valid: title: 201 characters, over the limit of 200; .+\n$/);
    const big = join(files, 'big.md');
    await writeFile(big, 'x'.repeat(64 * 1024));
    expect(await cli(['task', 'add', 'acme/alpha', '--title', 'big', '--body-file', big])).toMatchObject({
      code: 1,
      stderr: 'supervisor: POST /api/repos/acme/alpha/tasks: 413 Payload too large: the body is over the limit\n',
    });
  });

  it('tasks prints a table of id, stage, status, attempts, change and title, or the JSON', async () => {
    const table = await cli(['tasks', 'acme/alpha']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +STAGE +STATUS +ATTEMPTS P\/I\/R +CHANGE +TITLE\n/);
    expect(table.stdout).toMatch(new RegExp(`^${waiting.id} +\\S+ +hitl +\\d+/1/0 +- +cli task$`, 'm'));
    const json = await cli(['tasks', 'acme-alpha', '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as ApiTask[]).find((task) => task.id === waiting.id)).toMatchObject({ title: 'cli task', status: 'hitl' });
  });

  it('task show prints the task, its history and the last transcript lines, or the JSON', async () => {
    const shown = await cli(['task', 'show', 'acme/alpha', String(waiting.id), '--lines', '4']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^task ${waiting.id}: cli task\n {2}stage +\\S+ \\(hitl\\)\n`));
    expect(shown.stdout).toMatch(/\n {2}Do cli task\.\n/);
    expect(shown.stdout).toMatch(/\nHISTORY\nSTAGE +AT +OUTCOME +DETAIL\ntriage +\S+/);
    const transcript = /\nTRANSCRIPT: implement, attempt 1 \(its last 4 lines\)\n((?:.*\n){4})$/.exec(shown.stdout);
    expect(transcript).not.toBeNull();
    const json = await cli(['task', 'show', 'acme-alpha', String(waiting.id), '--json', '--lines', '2']);
    const parsed = JSON.parse(json.stdout) as { task: ApiTask; transcript: { run: unknown; lines: string[] } };
    expect(parsed.task).toMatchObject({ id: waiting.id, title: 'cli task' });
    expect(parsed.transcript).toMatchObject({ task: waiting.id, run: { stage: 'implement', attempt: 1 } });
    expect(parsed.transcript.lines).toEqual((transcript?.[1] ?? '').split('\n').slice(2, 4));
  });

  it('task show passes back the 404 of an unknown task and the 400 of a bad --lines (exit 1)', async () => {
    expect(await cli(['task', 'show', 'acme/alpha', '999'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'supervisor: GET /api/repos/acme/alpha/tasks/999: 404 Unknown task: 999\n',
    });
    const bad = await cli(['task', 'show', 'acme/alpha', String(waiting.id), '--lines', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^supervisor: GET /api/repos/acme/alpha/tasks/${waiting.id}/transcript\\?lines=0: 400 .+\n$`));
  });

  it('hitl prints the tasks waiting for a human, or the JSON', async () => {
    const table = await cli(['hitl', 'acme/alpha']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +FROM +BRANCH +PR +CAUSE +TITLE\n/);
    expect(table.stdout).toMatch(new RegExp(`^${waiting.id} +implement +\\S+ +\\S+ +.+ +cli task$`, 'm'));
    const json = await cli(['hitl', 'acme-alpha', '--json']);
    expect((JSON.parse(json.stdout) as { issue: number }[]).map((item) => item.issue)).toContain(waiting.id);
  });

  it('hitl correct sends the correction from a file, hitl skip parks the task, and a second skip passes back the 409', async () => {
    const task = await taskInHitl(rig, supervisor, 'cli correct');
    const file = join(files, 'correction.txt');
    await writeFile(file, 'commit something this time\n');
    const corrected = await cli(['hitl', 'correct', 'acme/alpha', String(task.id), '--correction-file', file]);
    expect(corrected).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^corrected task ${task.id}: \\S+ \\((?!hitl)\\S+\\)\n$`)) });
    await waitForTask(rig, supervisor, task.id, 'back in hitl after its correction', (entry) => entry.status === 'hitl');
    expect(await cli(['hitl', 'skip', 'acme-alpha', String(task.id)])).toMatchObject({ code: 0, stdout: `skipped task ${task.id}: parked (parked)\n` });
    const again = await cli(['hitl', 'skip', 'acme/alpha', String(task.id)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^supervisor: POST /api/repos/acme/alpha/hitl/${task.id}/skip: 409 .+\n$`));
  });

  it('hitl close ends a task; hitl correct passes back the 400 of an empty correction and the 404 of an unknown task', async () => {
    const task = await taskInHitl(rig, supervisor, 'cli close');
    const empty = await cli(['hitl', 'correct', 'acme/alpha', String(task.id), '--correction', '']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(new RegExp(`^supervisor: POST /api/repos/acme/alpha/hitl/${task.id}/correct: 400 .+\n$`));
    // --home before the subcommand is inherited by it.
    const closed = await rig.cli(['hitl', '--home', supervisor.home, 'close', 'acme/alpha', String(task.id)]);
    expect(closed).toMatchObject({ code: 0, stdout: `closed task ${task.id}: closed (closed)\n` });
    const unknown = await cli(['hitl', 'correct', 'acme/alpha', '999', '--correction', 'x']);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringMatching(/^supervisor: POST \/api\/repos\/acme\/alpha\/hitl\/999\/correct: 404 .+\n$/) });
    expect(await cli(['hitl', 'correct', 'acme/alpha', '999'])).toMatchObject({
      code: 2,
      stderr: "supervisor: Missing --correction <text> or --correction-file <file> ('-' reads stdin)\n",
    });
  });

  it('passes through the 404 of a repo without the pipeline and the 503 of a stopped one (exit 1)', async () => {
    expect(await cli(['tasks', 'solo'])).toMatchObject({
      code: 1,
      stderr: 'supervisor: GET /api/repos/solo/tasks: 404 Not available: the pipeline is not enabled for solo: set pipeline.enabled: true (with an agent) in repos.yaml\n',
    });
    expect(await cli(['hitl', 'acme/idle'])).toMatchObject({
      code: 1,
      stderr: 'supervisor: GET /api/repos/acme/idle/hitl: 503 The worker of acme/idle is not available (state: stopped); its hitl can be reached once it is running\n',
    });
  });

  it('lists the pipeline commands in --help', async () => {
    const help = await rig.cli(['--help']);
    for (const command of ['tasks [options] <slug>', 'task ', 'hitl [options] <slug>']) expect(help.stdout).toContain(`  ${command}`);
    const hitl = await rig.cli(['hitl', '--help']);
    for (const command of ['correct [options] <slug> <id>', 'skip [options] <slug> <id>', 'close [options] <slug> <id>']) expect(hitl.stdout).toContain(command);
    const task = await rig.cli(['task', '--help']);
    for (const command of ['add [options] <slug>', 'show [options] <slug> <id>']) expect(task.stdout).toContain(command);
  });
});
