import { PIPELINE_IDENTITY, pipelineGit } from '../git/pipeline-git.js';
import type { AgentRunContext } from './command-agent.js';

/** What {@link commitLeftovers} did: committed, found nothing to commit, or why git failed. */
export type LeftoversCommit = { ok: true; committed: boolean } | { ok: false; message: string };

/**
 * Commits what an implement or hitl run of a `kind` agent changed but left
 * uncommitted in its workspace: Codex's workspace-write sandbox keeps `.git`
 * read-only, so its changes can only be committed from outside it.
 */
export async function commitLeftovers(context: AgentRunContext): Promise<LeftoversCommit> {
  const cwd = context.workspace;
  const status = await pipelineGit(cwd, ['status', '--porcelain']);
  if (!status.ok) return status;
  if (status.stdout.trim() === '') return { ok: true, committed: false };
  const added = await pipelineGit(cwd, ['add', '--all']);
  if (!added.ok) return added;
  const identity = ['-c', `user.name=${PIPELINE_IDENTITY.name}`, '-c', `user.email=${PIPELINE_IDENTITY.email}`, '-c', 'commit.gpgsign=false'];
  const message = `${context.taskTitle} (task ${context.taskId}, ${context.stage})`;
  const committed = await pipelineGit(cwd, [...identity, 'commit', '--quiet', '--no-verify', '-m', message]);
  return committed.ok ? { ok: true, committed: true } : committed;
}
