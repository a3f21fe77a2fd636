import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_STAGES } from '@repovisor/protocol';
import { buildPrompt, loadPromptTemplates, parseTemplate } from '../src/pipeline/agents/prompts.js';
import type { PromptInputs, PromptTemplates } from '../src/pipeline/agents/prompts.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const task: PromptInputs = { taskId: '9', title: 'Greet in French', body: 'Say {{bonjour}}.', attempt: 1, branch: 'agent/issue-9', baseBranch: 'main' };

async function builtIns(): Promise<PromptTemplates> {
  const loaded = await loadPromptTemplates({}, '/');
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.templates;
}

describe('built-in prompts', () => {
  it('give every stage the task and its marker contract', async () => {
    const templates = await builtIns();
    const contracts = { triage: '"ready": true', plan: 'PLAN_START', implement: 'no marker', review: 'VERDICT: REQUEST_CHANGES', hitl: 'no marker' };
    for (const stage of AGENT_STAGES) {
      const prompt = buildPrompt(templates, stage, task);
      expect(prompt).toContain('<task_title>\nGreet in French\n</task_title>');
      expect(prompt).toContain('Say {{bonjour}}.');
      expect(prompt).toContain(contracts[stage]);
      expect(prompt.replace('Say {{bonjour}}.', '')).not.toContain('{{');
    }
  });

  it('carry the plan, the review feedback and the correction only when there are some', async () => {
    const templates = await builtIns();
    expect(buildPrompt(templates, 'implement', task)).not.toContain('<feedback>');
    const retry = buildPrompt(templates, 'implement', { ...task, attempt: 2, plan: '1. add fr.ts', reviewFeedback: 'SUMMARY: no test\nadd a test' });
    expect(retry).toContain('<plan>\n1. add fr.ts\n</plan>');
    expect(retry).toContain('<feedback>\nSUMMARY: no test\nadd a test\n</feedback>');
    expect(retry).toContain('attempt 2');
    const hitl = buildPrompt(templates, 'hitl', { ...task, correction: 'Use "Salut" instead.', cause: 'implement: no new commits 3 times' });
    expect(hitl).toContain('<correction>\nUse "Salut" instead.\n</correction>');
    expect(hitl).toContain('<cause>\nimplement: no new commits 3 times\n</cause>');
  });
});

describe('prompt_file overrides', () => {
  it('replace the template of their stage only, relative to the base folder', async () => {
    const base = await temp.make();
    await mkdir(join(base, 'prompts'));
    await writeFile(join(base, 'prompts', 'review.md'), 'Review {{ title }} on {{branch}}.{{#plan}} Plan: {{plan}}{{/plan}}\n{{markers}}');
    const loaded = await loadPromptTemplates({ review: { prompt_file: 'prompts/review.md' } }, base);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(buildPrompt(loaded.templates, 'review', task)).toMatch(/^Review Greet in French on agent\/issue-9\.\nWrite your findings first/);
    expect(buildPrompt(loaded.templates, 'review', { ...task, plan: 'P' })).toContain('. Plan: P\n');
    expect(buildPrompt(loaded.templates, 'plan', task)).toContain('PLAN_START');
  });

  it('list every unknown placeholder and unreadable file with the file and name', async () => {
    const base = await temp.make();
    const plan = join(base, 'plan.md');
    await writeFile(plan, 'Plan {{title}}.\nFix {{issue_number}} and {{#feedback}}x{{/feedback}}');
    const loaded = await loadPromptTemplates({ plan: { prompt_file: plan }, review: { prompt_file: 'missing.md' } }, base);
    expect(loaded.ok).toBe(false);
    const message = loaded.ok ? '' : loaded.message;
    expect(message).toContain(`pipeline.stages.plan.prompt_file ${plan}, line 2: unknown placeholder {{issue_number}}; known: task_id, title, body,`);
    expect(message).toContain(`pipeline.stages.plan.prompt_file ${plan}, line 2: unknown placeholder {{#feedback}}`);
    expect(message).toContain(`pipeline.stages.review.prompt_file ${join(base, 'missing.md')}: cannot be read (ENOENT)`);
  });

  it('refuse sections that nest, never close or close nothing', () => {
    const nested = parseTemplate('{{#plan}}{{#cause}}x{{/cause}}{{/plan}}', 'f');
    expect(!nested.ok && nested.problems[0]).toBe('f, line 1: section {{#cause}} opened inside {{#plan}}; sections do not nest');
    expect(parseTemplate('a\n{{#plan}} open', 'f')).toEqual({ ok: false, problems: ['f, line 2: {{#plan}} is never closed with {{/plan}}'] });
    expect(parseTemplate('{{/plan}}', 'f')).toEqual({ ok: false, problems: ['f, line 1: {{/plan}} closes no open section'] });
  });
});
