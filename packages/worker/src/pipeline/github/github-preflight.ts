import type { GithubLabels } from '@repovisor/protocol';
import type { Call, GithubApi } from './github-api.js';

// What the GitHub source checks before its first poll: that the token is
// good (401), that it can write to the repository (a read-only token is
// named as such, with the permission it lacks), and that the stage labels
// exist, creating the missing ones.

const COLORS: Record<keyof GithubLabels, string> = {
  find: 'e4e669',
  plan: 'c5def5',
  ready: '0e8a16',
  review: 'fbca04',
  fixed: '5319e7',
  hitl: 'd93f0b',
};

const NEEDS = 'contents, issues and pull requests: read and write (a fine-grained token), or the repo scope (a classic token)';

/** Checks the token, its access to the repository and the labels; answers the labels it created. */
export async function preflight(api: GithubApi, labels: GithubLabels): Promise<Call<{ login: string; created: string[] }>> {
  const user = await api.call('checking the GitHub token', () => api.octokit.rest.users.getAuthenticated());
  if (!user.ok) return user;
  const repo = await api.call(`reading the repository ${api.slug}`, () => api.octokit.rest.repos.get({ ...api.repo }));
  if (!repo.ok) return repo;
  const permissions = repo.value.data.permissions;
  if (permissions?.push !== true) {
    return {
      ok: false,
      kind: 'forbidden',
      permission: 'push',
      message: `the GitHub token of ${user.value.data.login} can read ${api.slug} but not write to it (no push permission): the pipeline labels issues, pushes branches and merges pull requests; give the token ${NEEDS}`,
    };
  }
  const existing = await api.call(`listing the labels of ${api.slug}`, () => api.octokit.paginate(api.octokit.rest.issues.listLabelsForRepo, { ...api.repo, per_page: 100 }));
  if (!existing.ok) return existing;
  const have = new Set(existing.value.map((label) => label.name));
  const created: string[] = [];
  for (const stage of Object.keys(COLORS) as (keyof GithubLabels)[]) {
    const name = labels[stage];
    if (have.has(name)) continue;
    const made = await api.call(`creating the label ${name} in ${api.slug}`, () =>
      api.octokit.rest.issues.createLabel({ ...api.repo, name, color: COLORS[stage], description: `Repovisor pipeline: ${stage}` }),
    );
    if (!made.ok && made.kind !== 'invalid') return made;
    created.push(name);
  }
  return { ok: true, value: { login: user.value.data.login, created } };
}
