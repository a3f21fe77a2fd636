// The demo's tasks: once the supervisor of examples/repos.yaml answers, each repo
// that runs the pipeline gets a few tasks through the supervisor's API
// (POST /api/repos/<slug>/tasks, with the API token of its home), unless it has
// tasks already, so that a second `npm start` adds none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What each pipeline repo is given: the scripted agent reads [not-ready] and [already-done] as its cues. */
export const DEMO_TASKS = [
  { title: 'Add a contributing guide', body: 'Explain how to set the project up and how to send a change.' },
  { title: 'Document the release steps', body: 'List what is done, in order, to publish a release.' },
  { title: 'Keep a changelog [already-done]', body: 'CHANGELOG.md already lists every release: the plan stage finds nothing to do.' },
  { title: 'Make it better [not-ready]', body: 'Too vague to start on: triage parks it.' },
];

/** How long the supervisor, then each worker, gets to answer. */
const DEADLINE_MS = 60_000;

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Waits until the supervisor with pid `pid` answers on the address its home
 * publishes; resolves with a client of its API, or throws after the deadline.
 */
export async function supervisorClient(home, pid, isRunning) {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline && isRunning()) {
    const http = readJson(join(home, 'supervisor-state.json'))?.http;
    if (http?.port !== undefined) {
      const base = `http://${http.host === '0.0.0.0' ? '127.0.0.1' : http.host}:${http.port}`;
      const health = await fetch(`${base}/healthz`).then((answer) => answer.json(), () => undefined);
      if (health?.pid === pid) return apiClient(base, readFileSync(join(home, 'api-token'), 'utf8').trim());
    }
    await sleep(200);
  }
  throw new Error(isRunning() ? `the supervisor (pid ${pid}) did not answer within ${DEADLINE_MS / 1000} s` : 'the supervisor exited');
}

function apiClient(base, token) {
  return async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const answer = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: answer.status, body: await answer.json().catch(() => ({})) };
  };
}

/**
 * The tasks of `slug` once its worker answers: an array, or null when the repo
 * does not run the pipeline (404 "The pipeline is not enabled…").
 */
async function tasksOf(call, slug) {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const answer = await call('GET', `/api/repos/${slug}/tasks`);
    if (answer.status === 200) return answer.body.tasks;
    if (answer.status === 404 && /pipeline is not enabled/.test(answer.body.error ?? '')) return null;
    // The worker is still starting (or restarting): its routes answer once it runs.
    if (Date.now() > deadline) throw new Error(`GET /api/repos/${slug}/tasks: ${answer.status} ${answer.body.error ?? ''}`);
    await sleep(250);
  }
}

/** Seeds {@link DEMO_TASKS} in every pipeline repo that has no task yet; resolves with what was done per slug. */
export async function seedDemoTasks(call) {
  const listed = await call('GET', '/api/repos');
  if (listed.status !== 200) throw new Error(`GET /api/repos: ${listed.status} ${listed.body.error ?? ''}`);
  const report = [];
  for (const { slug } of listed.body.repos) {
    try {
      const line = await seedRepo(call, slug);
      if (line !== null) report.push(line);
    } catch (error) {
      report.push(`${slug}: no tasks added: ${error.message}`);
    }
  }
  return report;
}

async function seedRepo(call, slug) {
  const tasks = await tasksOf(call, slug);
  if (tasks === null) return null;
  if (tasks.length > 0) return `${slug}: has ${tasks.length} task(s) already, none added`;
  for (const task of DEMO_TASKS) {
    const made = await call('POST', `/api/repos/${slug}/tasks`, task);
    if (made.status !== 201) throw new Error(`POST /api/repos/${slug}/tasks: ${made.status} ${made.body.error ?? ''}`);
  }
  return `${slug}: added ${DEMO_TASKS.length} tasks (${DEMO_TASKS.map((task) => JSON.stringify(task.title)).join(', ')})`;
}
