import { afterEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@repovisor/supervisor';
import { PIPELINE_DEFAULTS } from '@repovisor/protocol';
import { createGitRepo } from './helpers/git-repo.js';
import { numericRange, pipelineKeys } from './helpers/config-doc.js';
import { SupervisorRig, testSupervisorSection } from './helpers/supervisor-rig.js';
import { TempDirs } from './helpers/temp-dir.js';
import { waitFor } from './helpers/wait-for.js';

// The `pipeline:` keys of docs/CONFIGURATION.md against the loader, and a real
// supervisor handing each repo its pipeline (REPOVISOR_PIPELINE) as the table says.

const temp = new TempDirs();
const rig = new SupervisorRig();

afterEach(async () => {
  await rig.cleanup();
  await temp.cleanup();
});

const AGENT = { command: ['node', './agent.mjs'] };

/** Loads a repos.yaml with one repo whose `pipeline:` is `own` under `supervisor.pipeline` `defaults`; resolves with its pipeline or the problems. */
async function pipelineOf(own: Record<string, unknown> | undefined, defaults?: Record<string, unknown>): Promise<{ pipeline?: unknown; problems: string[]; folder: string }> {
  const folder = await temp.make();
  const repo = await createGitRepo(join(folder, 'alpha'));
  const file = join(folder, 'repos.yaml');
  const supervisor = defaults === undefined ? {} : { pipeline: defaults };
  await writeFile(file, `supervisor: ${JSON.stringify(supervisor)}\nrepos: ${JSON.stringify([{ path: repo, slug: 'acme/alpha', ...(own === undefined ? {} : { pipeline: own }) }])}\n`);
  try {
    return { pipeline: (await loadConfig(file, {})).repos[0]?.pipeline, problems: [], folder };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems, folder };
  }
}

function documentedDefault(cell: string): unknown {
  const text = /`([^`]+)`/.exec(cell)?.[1] ?? cell;
  if (text === 'true' || text === 'false') return text === 'true';
  return /^\d+$/.test(text) ? Number(text) : text;
}

describe('the pipeline keys of CONFIGURATION.md', () => {
  const keys = pipelineKeys();

  it('lists every key a pipeline section accepts, and no other', async () => {
    const { problems } = await pipelineOf({ enabled: true, agent: AGENT, nonsense: 1 });
    const accepted = /expected one of: ([a-z_, ]+)\)/.exec(problems.join('\n'))?.[1]?.split(', ');
    expect(keys.map((entry) => entry.key)).toEqual(accepted);
  });

  it.each(keys.filter((entry) => entry.key !== 'enabled' && /^`[^`]+`$/.test(entry.defaultCell.trim())).map((entry) => [entry.key, entry.defaultCell]))(
    '%s: the documented default (%s) is the one applied',
    async (key, cell) => {
      const { pipeline, problems } = await pipelineOf({ enabled: true, agent: AGENT });
      expect(problems).toEqual([]);
      const applied = (pipeline as Record<string, unknown>)[key];
      expect(key === 'stages' ? JSON.stringify(applied) : applied).toEqual(documentedDefault(cell));
    },
  );

  it('has the documented defaults where they are words: the remote HEAD branch (null), no pipeline unless enabled, no default agent', async () => {
    expect((await pipelineOf({ enabled: true, agent: AGENT })).pipeline).toMatchObject({ base_branch: null });
    expect((await pipelineOf(undefined, { agent: AGENT })).pipeline).toBeNull();
    expect((await pipelineOf({ enabled: true })).problems).toEqual([
      'repos[0].pipeline.agent: is required when the pipeline is enabled (here, or for every repo in supervisor.pipeline.agent)',
    ]);
  });

  it.each(keys.filter((entry) => numericRange(entry.allowedCell) !== undefined).map((entry) => [entry.key, entry.allowedCell]))(
    '%s: accepts exactly the documented range (%s)',
    async (key, cell) => {
      const range = numericRange(cell);
      if (range === undefined) throw new Error(`no range for ${key}`);
      for (const value of [range.min, range.max]) {
        const { pipeline, problems } = await pipelineOf({ enabled: true, agent: AGENT, [key]: value });
        expect(problems).toEqual([]);
        expect((pipeline as Record<string, unknown>)[key]).toBe(value);
      }
      for (const value of [range.min - 1, range.max + 1, range.min + 0.5]) {
        const { problems } = await pipelineOf({ enabled: true, agent: AGENT, [key]: value });
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^repos\\[0\\]\\.pipeline\\.${key}: must be a whole number from ${range.min} to `))]);
      }
    },
  );

  it('merges a repo over supervisor.pipeline key by key and stage by stage, with relative paths against the file', async () => {
    const { pipeline, folder } = await pipelineOf(
      { enabled: true, max_plan_attempts: 5, stages: { review: { max_workers: 2 } } },
      { agent: AGENT, max_plan_attempts: 4, max_issue_attempts: 7, stages: { review: { agent: { kind: 'claude', model: 'opus' }, prompt_file: 'prompts/review.md' } } },
    );
    expect(pipeline).toMatchObject({
      enabled: true,
      agent: { command: ['node', join(folder, 'agent.mjs')] },
      max_plan_attempts: 5,
      max_issue_attempts: 7,
      stages: { review: { agent: { kind: 'claude', model: 'opus' }, max_workers: 2, prompt_file: join(folder, 'prompts', 'review.md') } },
    });
  });

  it('refuses an agent with both or neither of command and kind, an unknown kind, a model with a command, an unknown stage and a github source, each by its path', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ enabled: true, agent: { command: ['x'], kind: 'claude' } }, /^repos\[0\]\.pipeline\.agent: must give either command .* or kind/],
      [{ enabled: true, agent: {} }, /^repos\[0\]\.pipeline\.agent: must give either command/],
      [{ enabled: true, agent: { kind: 'gpt' } }, /^repos\[0\]\.pipeline\.agent\.kind: must be claude or codex, got "gpt"/],
      [{ enabled: true, agent: { command: ['x'], model: 'opus' } }, /^repos\[0\]\.pipeline\.agent: model and permission_mode go with kind/],
      [{ enabled: true, agent: AGENT, stages: { deploy: {} } }, /^repos\[0\]\.pipeline\.stages\.deploy: unknown key \(expected one of: triage, plan, implement, review, hitl\)/],
      [{ enabled: true, agent: AGENT, source: 'github' }, /^repos\[0\]\.pipeline\.source: must be local/],
      [{ enabled: 'yes', agent: AGENT }, /^repos\[0\]\.pipeline\.enabled: must be true or false, got "yes"/],
    ];
    for (const [own, expected] of cases) expect((await pipelineOf(own)).problems).toEqual([expect.stringMatching(expected)]);
  });
});

describe('the GitHub keys of a pipeline', () => {
  it('takes github_repo, api_url, labels key by key over the defaults and supervisor.pipeline, and the correction prefix', async () => {
    const { pipeline, problems } = await pipelineOf(
      { enabled: true, labels: { find: 'todo', hitl: 'needs-human' }, api_url: 'https://ghe.example.com/api/v3' },
      { agent: AGENT, github_repo: 'acme/alpha', labels: { hitl: 'help' }, hitl_correction_prefix: 'Fix:' },
    );
    expect(problems).toEqual([]);
    expect(pipeline).toMatchObject({
      github_repo: 'acme/alpha',
      api_url: 'https://ghe.example.com/api/v3',
      labels: { find: 'todo', plan: 'hydraflow-plan', ready: 'hydraflow-ready', review: 'hydraflow-review', fixed: 'hydraflow-fixed', hitl: 'needs-human' },
      hitl_correction_prefix: 'Fix:',
    });
    expect((await pipelineOf({ enabled: true, agent: AGENT })).pipeline).toMatchObject({ github_repo: null, labels: PIPELINE_DEFAULTS.labels });
  });

  it('refuses a github_repo that is not owner/name, an api_url that is not http(s), an unknown or too long label, each by its path', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ enabled: true, agent: AGENT, github_repo: 'alpha' }, /^repos\[0\]\.pipeline\.github_repo: must be owner\/name/],
      [{ enabled: true, agent: AGENT, api_url: 'ftp://x' }, /^repos\[0\]\.pipeline\.api_url: must be an http or https URL/],
      [{ enabled: true, agent: AGENT, labels: { done: 'x' } }, /^repos\[0\]\.pipeline\.labels\.done: unknown key \(expected one of: find, plan, ready, review, fixed, hitl\)/],
      [{ enabled: true, agent: AGENT, labels: { find: 'x'.repeat(51) } }, /^repos\[0\]\.pipeline\.labels\.find: must be at most 50 characters/],
      [{ enabled: true, agent: AGENT, hitl_correction_prefix: ' ' }, /^repos\[0\]\.pipeline\.hitl_correction_prefix: must not be empty/],
    ];
    for (const [own, expected] of cases) expect((await pipelineOf(own)).problems).toEqual([expect.stringMatching(expected)]);
  });
});

describe('a repo’s pipeline reaching its worker', () => {
  async function environOf(pid: number): Promise<Record<string, string>> {
    const text = await readFile(`/proc/${pid}/environ`, 'utf8');
    return Object.fromEntries(text.split('\0').filter((entry) => entry.includes('=')).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  }

  it('gives a repo its merged settings in REPOVISOR_PIPELINE, a repo that turns it off none, and a repo added through the API supervisor.pipeline', async () => {
    const root = await temp.make();
    const alpha = await createGitRepo(join(root, 'alpha'));
    const beta = await createGitRepo(join(root, 'beta'));
    const gamma = await createGitRepo(join(root, 'gamma'));
    const home = join(root, 'home');
    const section = `${testSupervisorSection(home, '', 'steady')}\n  pipeline: {enabled: true, agent: {command: [node, ./agent.mjs]}, max_issue_attempts: 4}`;
    const repos = `repos:\n  - {path: ${JSON.stringify(alpha)}, slug: acme/alpha, pipeline: {max_plan_attempts: 5}}\n  - {path: ${JSON.stringify(beta)}, slug: acme/beta, pipeline: {enabled: false}}\n`;
    const supervisor = await rig.start(await rig.writeConfig(root, `${section}\n${repos}`), home);
    const running = async (slug: string) => rig.waitForRepo(supervisor, slug, 'running', (repo) => repo.status === 'running');

    const alphaEnv = await environOf((await running('acme/alpha')).pid ?? 0);
    expect(JSON.parse(alphaEnv.REPOVISOR_PIPELINE ?? 'null')).toMatchObject({ enabled: true, agent: { command: ['node', join(root, 'agent.mjs')] }, max_issue_attempts: 4, max_plan_attempts: 5, remote: 'origin' });
    expect((await environOf((await running('acme/beta')).pid ?? 0)).REPOVISOR_PIPELINE).toBeUndefined();

    // A repo added through the API has no pipeline: of its own, so it runs supervisor.pipeline's.
    expect((await rig.api(supervisor, 'POST', '/api/repos', { path: gamma, slug: 'acme/gamma' })).status).toBe(201);
    const gammaPipeline = JSON.parse((await environOf((await running('acme/gamma')).pid ?? 0)).REPOVISOR_PIPELINE ?? 'null') as Record<string, unknown>;
    expect(gammaPipeline).toMatchObject({ enabled: true, max_issue_attempts: 4, max_plan_attempts: 3 });
    await waitFor('the state file to record the config repos’ pipelines', async () => {
      const state = JSON.parse(await readFile(join(home, 'supervisor-state.json'), 'utf8')) as { repos: { slug: string; pipeline?: unknown }[] };
      const bySlug = new Map(state.repos.map((repo) => [repo.slug, repo.pipeline]));
      return bySlug.get('acme/beta') === null && (bySlug.get('acme/alpha') as { enabled?: boolean } | undefined)?.enabled === true && !('pipeline' in (state.repos.find((repo) => repo.slug === 'acme/gamma') ?? { pipeline: 1 }));
    });
  });
});
