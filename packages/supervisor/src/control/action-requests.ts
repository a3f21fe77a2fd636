import { formatIssueLines } from '@repovisor/kit';
import { isAbsolute } from 'node:path';
import * as z from 'zod/mini';
import type { Result } from '@repovisor/kit';

/** The actions HydraFlow's `hf` CLI sends on the control port. */
const ACTION_NAMES = ['ping', 'list_repos', 'add_repo', 'register_repo', 'remove_repo'] as const;

/** One of {@link ACTION_NAMES}. */
export type ActionName = (typeof ACTION_NAMES)[number];

/** Actions that change the registry and so need the API token. */
export const MUTATING_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>(['add_repo', 'register_repo', 'remove_repo']);


const repoPath = z.string({ error: 'must be a string: the absolute path of a git repository' }).check(
  z.minLength(1, { error: 'must not be empty' }),
  z.maxLength(4096, { error: 'must be at most 4096 characters' }),
  z.refine(isAbsolute, { error: "must be an absolute path (the supervisor does not know the client's working folder)" }),
);

const slug = z
  .string({ error: 'must be a string such as "owner/repo" or "name"' })
  .check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(200, { error: 'must be at most 200 characters' }));

// Python clients send `null` for an option they were not given, so null counts as absent.
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.nullish(schema),
    z.transform((value: z.output<T> | null | undefined) => value ?? undefined),
  );

// The token is checked before the schema; here it only has to be a string when present.
const token = optional(z.string({ error: 'must be a string: the API token from <home>/api-token' }));

// Unknown keys are ignored rather than refused, so clients that send a little more keep working.
/** `{"action":"ping"}`: is the supervisor there. */
const PingRequest = z.object({ action: z.literal('ping'), token });
/** `{"action":"list_repos"}`: every managed repo. */
const ListReposRequest = z.object({ action: z.literal('list_repos'), token });
/** `{"action":"add_repo","path":P,"repo_slug"?:S}`: register the repo if new, and start it unless it runs. */
const AddRepoRequest = z.object({ action: z.literal('add_repo'), path: repoPath, repo_slug: optional(slug), token });
/** `{"action":"register_repo","path":P,"repo_slug"?:S}`: register the repo without starting it. */
const RegisterRepoRequest = z.object({ action: z.literal('register_repo'), path: repoPath, repo_slug: optional(slug), token });
/** `{"action":"remove_repo","path"?:P,"slug"?:S}`: stop the repo's worker and forget the repo. */
export const RemoveRepoRequest = z.object({ action: z.literal('remove_repo'), path: optional(repoPath), slug: optional(slug), token });

/** Any action request, told apart by `action`. */
export const ActionRequest = z.discriminatedUnion('action', [PingRequest, ListReposRequest, AddRepoRequest, RegisterRepoRequest, RemoveRepoRequest]);

/** A validated action request. */
export type ActionRequest = z.infer<typeof ActionRequest>;
/** A validated `add_repo` or `register_repo` request. */
export type RepoPathRequest = z.infer<typeof AddRepoRequest> | z.infer<typeof RegisterRepoRequest>;
/** A validated `remove_repo` request. */
export type RemoveRepoRequest = z.infer<typeof RemoveRepoRequest>;

/** True when a parsed first line is a one-shot action request (an object with an `action` field), not a worker's message. */
export function isActionLine(value: unknown): value is Record<string, unknown> & { action: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'action');
}

/** The action's name when it is one this supervisor answers. */
export function knownAction(action: unknown): ActionName | undefined {
  return ACTION_NAMES.find((name) => name === action);
}

/** Validates a request whose action is known; a failure says which field is wrong and why. */
export function parseActionRequest(value: unknown): Result<{ request: ActionRequest }, { error: string }> {
  const parsed = ActionRequest.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data };
  const problems = formatIssueLines(parsed.error.issues, { root: 'request', line: (path, message) => `${path} ${message}` });
  const action = isActionLine(value) ? String(value.action) : 'action';
  return { ok: false, error: `Invalid ${action} request: ${problems.join('; ')}` };
}
