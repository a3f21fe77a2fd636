import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Result } from '@repovisor/kit';
import { AGENT_STAGES } from '@repovisor/protocol';
import type { AgentStage, PipelineSettings } from '@repovisor/protocol';
import { BUILT_IN_TEMPLATES, MARKER_CONTRACTS } from './prompt-templates.js';

// Templates: `{{name}}` is replaced by a value; `{{#name}}…{{/name}}` is kept only
// when the value is not empty (sections do not nest). Values go in verbatim and
// are never expanded again, so a task body holding `{{…}}` stays as written.

// Every placeholder a template may use.
const PROMPT_PLACEHOLDERS = ['task_id', 'title', 'body', 'attempt', 'branch', 'base_branch', 'plan', 'review_feedback', 'correction', 'cause', 'markers'] as const;
type Placeholder = (typeof PROMPT_PLACEHOLDERS)[number];

/** A prompt_file larger than this is refused: a prompt is text for an agent, not a data set. */
const MAX_TEMPLATE_BYTES = 256 * 1024;
const TAG = /\{\{\s*([#/]?)\s*([^{}\s]*)\s*\}\}/g;

type Segment = { text: string } | { value: Placeholder } | { section: Placeholder; body: Segment[] };

/** A parsed template, ready to render. */
export interface PromptTemplate {
  readonly source: string;
  readonly segments: readonly Segment[];
}

/** The template of every stage: the built-in one, or the operator's `prompt_file`. */
export type PromptTemplates = Readonly<Record<AgentStage, PromptTemplate>>;

/** What a prompt is built from: the task, and what earlier stages and the human said. */
export interface PromptInputs {
  taskId: string;
  title: string;
  body: string;
  attempt: number;
  branch: string;
  baseBranch: string;
  plan?: string | null;
  /** The last review's feedback (its summary and findings). */
  reviewFeedback?: string | null;
  /** The human's correction (hitl). */
  correction?: string | null;
  /** Why the task was escalated to a human (hitl). */
  cause?: string | null;
}

function isPlaceholder(name: string): name is Placeholder {
  return (PROMPT_PLACEHOLDERS as readonly string[]).includes(name);
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Parses template `text` (from `source`, named in errors); every problem is listed with its line. */
export function parseTemplate(text: string, source: string): Result<{ template: PromptTemplate }, { problems: string[] }> {
  const problems: string[] = [];
  const top: Segment[] = [];
  let open: { name: Placeholder; body: Segment[]; line: number } | null = null;
  let last = 0;
  for (const match of text.matchAll(TAG)) {
    const [tag, kind, name] = match as unknown as [string, string, string];
    const at = `${source}, line ${lineAt(text, match.index)}`;
    const into = open?.body ?? top;
    if (match.index > last) into.push({ text: text.slice(last, match.index) });
    last = match.index + tag.length;
    if (!isPlaceholder(name)) {
      problems.push(`${at}: unknown placeholder ${tag}; known: ${PROMPT_PLACEHOLDERS.join(', ')}`);
    } else if (kind === '#') {
      if (open !== null) problems.push(`${at}: section ${tag} opened inside {{#${open.name}}}; sections do not nest`);
      else open = { name, body: [], line: lineAt(text, match.index) };
    } else if (kind === '/') {
      if (open?.name !== name) problems.push(`${at}: ${tag} closes no open section`);
      else {
        top.push({ section: open.name, body: open.body });
        open = null;
      }
    } else {
      into.push({ value: name });
    }
  }
  if (last < text.length) (open?.body ?? top).push({ text: text.slice(last) });
  if (open !== null) problems.push(`${source}, line ${open.line}: {{#${open.name}}} is never closed with {{/${open.name}}}`);
  return problems.length === 0 ? { ok: true, template: { source, segments: top } } : { ok: false, problems };
}

function builtIn(stage: AgentStage): PromptTemplate {
  const parsed = parseTemplate(BUILT_IN_TEMPLATES[stage], `the built-in ${stage} prompt`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.template;
}

async function readTemplateFile(path: string, stage: AgentStage, baseDir: string): Promise<Result<{ text: string }, { problem: string }>> {
  const where = `pipeline.stages.${stage}.prompt_file ${path}`;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_TEMPLATE_BYTES) return { ok: false, problem: `${where}: ${size} bytes, more than ${MAX_TEMPLATE_BYTES}; shorten it` };
    return { ok: true, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return { ok: false, problem: `${where}: cannot be read (${code}); fix the path (a relative one is resolved from ${baseDir}), or remove the key to use the built-in prompt` };
  }
}

/**
 * The prompt template of every stage: the built-in one, or the stage's
 * `prompt_file` (a relative path is resolved from `baseDir`). Every
 * unreadable file and every unknown placeholder is listed with the file, line
 * and name, so that a bad override fails the runtime's start, not a task.
 */
export async function loadPromptTemplates(stages: PipelineSettings['stages'], baseDir: string): Promise<Result<{ templates: PromptTemplates }, { message: string }>> {
  const problems: string[] = [];
  const entries = await Promise.all(
    AGENT_STAGES.map(async (stage): Promise<[AgentStage, PromptTemplate]> => {
      const file = stages[stage]?.prompt_file;
      if (file === undefined) return [stage, builtIn(stage)];
      const path = resolve(baseDir, file);
      const read = await readTemplateFile(path, stage, baseDir);
      if (!read.ok) {
        problems.push(read.problem);
        return [stage, builtIn(stage)];
      }
      const parsed = parseTemplate(read.text, `pipeline.stages.${stage}.prompt_file ${path}`);
      if (!parsed.ok) problems.push(...parsed.problems);
      return [stage, parsed.ok ? parsed.template : builtIn(stage)];
    }),
  );
  if (problems.length > 0) return { ok: false, message: `Invalid prompt templates:\n${problems.map((problem) => `  - ${problem}`).join('\n')}` };
  return { ok: true, templates: Object.fromEntries(entries) as Record<AgentStage, PromptTemplate> };
}

function valuesFor(stage: AgentStage, inputs: PromptInputs): Record<Placeholder, string> {
  return {
    task_id: inputs.taskId,
    title: inputs.title,
    body: inputs.body,
    attempt: String(inputs.attempt),
    branch: inputs.branch,
    base_branch: inputs.baseBranch,
    plan: inputs.plan ?? '',
    review_feedback: inputs.reviewFeedback ?? '',
    correction: inputs.correction ?? '',
    cause: inputs.cause ?? '',
    markers: MARKER_CONTRACTS[stage],
  };
}

function render(segments: readonly Segment[], values: Record<Placeholder, string>): string {
  return segments
    .map((segment) => {
      if ('text' in segment) return segment.text;
      if ('value' in segment) return values[segment.value];
      return values[segment.section].trim() === '' ? '' : render(segment.body, values);
    })
    .join('');
}

/** The prompt of `stage` for one run, from its template and `inputs`. */
export function buildPrompt(templates: PromptTemplates, stage: AgentStage, inputs: PromptInputs): string {
  return render(templates[stage].segments, valuesFor(stage, inputs));
}
