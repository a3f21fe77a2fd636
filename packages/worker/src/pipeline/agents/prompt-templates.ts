import type { AgentStage } from '@repovisor/protocol';

// The built-in prompt of each stage, in the template language of prompts.ts.
// `{{markers}}` is the stage's marker contract (below), which markers.ts reads;
// task text is fenced in tags so that an agent can tell data from instructions.

/** What each stage's agent must print, as the prompt tells it (the rules markers.ts applies). */
export const MARKER_CONTRACTS: Record<AgentStage, string> = {
  triage: [
    'Answer on stdout with one line holding a single JSON object, and nothing else on that line:',
    '{"ready": true, "reasons": []}',
    'or, when the task cannot be worked on as written:',
    '{"ready": false, "reasons": ["what is missing or unclear", "..."]}',
  ].join('\n'),
  plan: [
    'Print the plan between two lines of their own, PLAN_START and PLAN_END:',
    'PLAN_START',
    '<the plan>',
    'PLAN_END',
    'If the repository already does what the task asks, print instead why, between',
    'ALREADY_SATISFIED_START and ALREADY_SATISFIED_END, each on its own line.',
  ].join('\n'),
  implement: [
    'There is no marker to print: the commits you leave on the branch are the outcome.',
    'Exit with code 0 when you are done; a run that leaves no new commit is a failed attempt.',
  ].join('\n'),
  review: [
    'Write your findings first, then end with exactly one of these lines:',
    'VERDICT: APPROVE',
    'VERDICT: REQUEST_CHANGES',
    'followed by one line that sums the review up:',
    'SUMMARY: <one line>',
    'Everything else you print is handed to the next implementation as feedback.',
  ].join('\n'),
  hitl: [
    'There is no marker to print: the commits you leave on the branch are the outcome,',
    'and the change goes back to review. Exit with code 0 when you are done.',
  ].join('\n'),
};

const TASK = `Task {{task_id}}:
<task_title>
{{title}}
</task_title>
<task_body>
{{body}}
</task_body>`;

/** The built-in template of each stage. */
export const BUILT_IN_TEMPLATES: Record<AgentStage, string> = {
  triage: `You decide whether a task is ready to be planned and implemented in this repository (your working directory).

${TASK}

A task is ready when an engineer could start on it without asking anything first: it says what should change,
it is one bounded piece of work, and what it refers to exists in the repository. Read the code where that helps.
Do not change any file.

{{markers}}
`,
  plan: `You write the implementation plan for a task in this repository (your working directory, branch {{branch}}).

${TASK}
{{#review_feedback}}
An earlier plan was not accepted:
<feedback>
{{review_feedback}}
</feedback>
{{/review_feedback}}
Read the code the task touches. The plan names the files to change, the changes, and the tests that prove them,
in the order to make them. Do not change any file.

{{markers}}
`,
  implement: `You implement a task in this repository (your working directory), on branch {{branch}}, attempt {{attempt}}.

${TASK}
{{#plan}}
The plan:
<plan>
{{plan}}
</plan>
{{/plan}}
{{#review_feedback}}
A review of your previous change asked for this; address every point:
<feedback>
{{review_feedback}}
</feedback>
{{/review_feedback}}
Make the change with tests, run them, and commit your work on {{branch}} with git (no interactive git commands:
there is no terminal). Do not push and do not switch branches: the pipeline pushes {{branch}} and merges it
into {{base_branch}} once a review approves.

{{markers}}
`,
  review: `You review the change on branch {{branch}} against {{base_branch}} in this repository (your working directory).

${TASK}
{{#plan}}
The plan it was made from:
<plan>
{{plan}}
</plan>
{{/plan}}
Read the diff (git diff {{base_branch}}...HEAD). Check that it does what the task asks, that tests prove it,
and that nothing unrelated changed. Do not change any file.

{{markers}}
`,
  hitl: `A human has looked at a task the pipeline could not finish, and tells you how to go on.
You work in this repository (your working directory), on branch {{branch}}.

${TASK}
{{#cause}}
Why it stopped:
<cause>
{{cause}}
</cause>
{{/cause}}
{{#plan}}
The plan:
<plan>
{{plan}}
</plan>
{{/plan}}
The human's correction (follow it):
<correction>
{{correction}}
</correction>

Commit your work on {{branch}} with git. Do not push and do not switch branches.

{{markers}}
`,
};
