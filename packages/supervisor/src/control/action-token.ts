import { sameSecret } from '@repovisor/kit';
import type { Result } from '@repovisor/kit';

/** Whether a mutating action may go ahead: yes, or the `Unauthorized: …` error to answer. */
export type TokenVerdict = Result<{ legacy: boolean }, { error: string }>;

/**
 * Checks the `token` field of a mutating action against the API token, in
 * constant time. Without a token the action is refused, unless the operator
 * opted into `control.legacy_clients`; a token that is given must be right.
 */
export function checkActionToken(given: unknown, apiToken: string, legacyClients: boolean): TokenVerdict {
  if (given === undefined || given === null) {
    if (legacyClients) return { ok: true, legacy: true };
    return {
      ok: false,
      error: 'Unauthorized: this action needs the API token in a "token" field (it is in <home>/api-token), or control.legacy_clients: true in repos.yaml',
    };
  }
  if (!sameSecret(given, apiToken)) {
    return { ok: false, error: 'Unauthorized: the "token" field is not the API token of this supervisor (see <home>/api-token)' };
  }
  return { ok: true, legacy: false };
}

