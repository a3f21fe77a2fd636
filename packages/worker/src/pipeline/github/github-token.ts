import { execFile } from 'node:child_process';
import type { Result } from '@repovisor/kit';

// The token the GitHub source uses: GITHUB_TOKEN, else GH_TOKEN, else what
// `gh auth token` prints. The token only ever travels in the environment and
// in stdout, never in a command line or a log line.

/** Where a token came from (said in logs instead of the token). */
export type TokenOrigin = 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh auth token';

/** Runs `gh auth token`, resolving its stdout, or null when gh is missing or has no login. */
export type GhAuthToken = (env: NodeJS.ProcessEnv) => Promise<string | null>;

const runGh: GhAuthToken = (env) =>
  new Promise((resolve) => {
    execFile('gh', ['auth', 'token'], { env, timeout: 15_000, windowsHide: true }, (error, stdout) => resolve(error ? null : stdout.trim() || null));
  });

/** Finds the token; `gh auth token` runs at most once a call, and only when neither variable is set. */
export async function discoverToken(env: NodeJS.ProcessEnv, gh: GhAuthToken = runGh): Promise<Result<{ token: string; origin: TokenOrigin }, { message: string }>> {
  for (const name of ['GITHUB_TOKEN', 'GH_TOKEN'] as const) {
    const value = env[name]?.trim();
    if (value) return { ok: true, token: value, origin: name };
  }
  const fromGh = await gh(env);
  if (fromGh !== null) return { ok: true, token: fromGh, origin: 'gh auth token' };
  return {
    ok: false,
    message:
      'the GitHub source has no token: neither GITHUB_TOKEN nor GH_TOKEN is set in the supervisor\'s environment and `gh auth token` gave none; set one of them or run gh auth login',
  };
}
