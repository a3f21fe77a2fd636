import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { slugCollisionKey } from '../config/repo-identity.js';
import type { ManagedRepo } from '../manager/managed-repo.js';
import { newRepoRecord } from '../manager/new-repo-record.js';
import { RepoConflictError } from '../manager/repo-manager.js';
import type { RepoManager } from '../manager/repo-manager.js';
import type { RemoveRepoRequest, RepoPathRequest } from './action-requests.js';
import { isActionLine, knownAction, MUTATING_ACTIONS, parseActionRequest } from './action-requests.js';
import { checkActionToken } from './action-token.js';
import { existingRealPath, findRepoByPath, hydraFlowRepo } from './hydraflow-repo.js';
import type { HydraFlowRepo } from './hydraflow-repo.js';

/** What the action handler acts on. */
export interface ControlActionsOptions {
  /** The same registry `/api/repos` serves. */
  manager: RepoManager;
  /** The API token mutating actions must carry in `token`. */
  apiToken: string;
  /** `control.legacy_clients`: let mutating actions without a token through. */
  legacyClients: boolean;
  /** How long `add_repo` waits for a worker it started to report its port (default 5 s). */
  startWaitMs?: number;
}

/** The one line answered to an action client. */
export type ActionAnswer =
  | { status: 'ok' }
  | { status: 'ok'; repos: HydraFlowRepo[] }
  | ({ status: 'ok'; started: boolean } & Omit<HydraFlowRepo, 'path' | 'running'>)
  | { status: 'ok'; slug: string; path: string }
  | { status: 'error'; error: string };

const DEFAULT_START_WAIT_MS = 5000;
const START_POLL_MS = 25;

const fail = (error: string): ActionAnswer => ({ status: 'error', error });

/**
 * Answers HydraFlow's one-shot CLI actions (`ping`, `list_repos`, `add_repo`,
 * `register_repo`, `remove_repo`) on the registry behind `/api/repos`, with
 * the same validation, and persisted before the answer.
 */
export class ControlActions {
  private readonly logger: Logger;

  constructor(
    private readonly options: ControlActionsOptions,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'control-actions' });
    if (options.legacyClients) {
      this.logger.warn(
        'control.legacy_clients is on: add_repo, register_repo and remove_repo on the control port are accepted without the API token, from any local user',
      );
    }
  }

  /** The answer to one parsed request line (an object with an `action` field). Never rejects on bad input. */
  async answer(value: unknown): Promise<ActionAnswer> {
    const action = isActionLine(value) ? knownAction(value.action) : undefined;
    if (action === undefined) return fail('unknown action');
    if (MUTATING_ACTIONS.has(action)) {
      const verdict = checkActionToken((value as { token?: unknown }).token, this.options.apiToken, this.options.legacyClients);
      if (!verdict.ok) {
        this.logger.warn({ action }, 'refused a control action: missing or wrong API token');
        return fail(verdict.error);
      }
    }
    const parsed = parseActionRequest(value);
    if (!parsed.ok) return fail(parsed.error);
    const request = parsed.request;
    switch (request.action) {
      case 'ping':
        return { status: 'ok' };
      case 'list_repos':
        return { status: 'ok', repos: this.options.manager.all().map(hydraFlowRepo) };
      case 'add_repo':
        return this.add(request, true);
      case 'register_repo':
        return this.add(request, false);
      case 'remove_repo':
        return this.remove(request);
      default:
        return request satisfies never;
    }
  }

  private async add(request: RepoPathRequest, start: boolean): Promise<ActionAnswer> {
    const { manager } = this.options;
    const real = await existingRealPath(request.path);
    if (real === undefined) return fail(`Repo path not found: ${request.path}`);
    let repo = await this.existing(real, request.repo_slug);
    if (typeof repo === 'string') return fail(repo);
    let started = false;
    if (repo === undefined) {
      // Registered for good: autostart follows whether this action starts it.
      const made = await newRepoRecord({ path: real, slug: request.repo_slug, autostart: start }, 'api');
      if (!made.ok) return fail(made.message);
      try {
        repo = await manager.add(made.record, start);
        started = start;
        this.logger.info({ action: request.action, slug: repo.slug, path: repo.record.path }, 'repo added by a control action');
      } catch (error) {
        if (!(error instanceof RepoConflictError)) throw error;
        // Another client may have added the same path meanwhile: that one is the answer.
        repo = await this.existing(real, request.repo_slug);
        if (repo === undefined || typeof repo === 'string') return fail(error.message);
      }
    } else if (start && (repo.state === 'stopped' || repo.state === 'failed')) {
      repo.start();
      started = true;
      this.logger.info({ action: request.action, slug: repo.slug }, 'repo started by a control action');
    }
    if (!start) return { status: 'ok', slug: repo.slug, path: repo.record.path };
    if (started) await this.untilStarted(repo);
    const { slug, port, dashboard_url, log_file } = hydraFlowRepo(repo);
    return { status: 'ok', slug, port, dashboard_url, log_file, started };
  }

  /** The repo already managed at `realPath`, or the conflict to answer when `slug` names another. */
  private async existing(realPath: string, slug: string | undefined): Promise<ManagedRepo | string | undefined> {
    const repo = await findRepoByPath(this.options.manager, realPath);
    if (repo === undefined || slug === undefined || slugCollisionKey(slug) === slugCollisionKey(repo.slug)) return repo;
    return `The path ${realPath} is already managed as "${repo.slug}", not "${slug}"`;
  }

  // A worker reports its HTTP port in its hello; a short wait lets the answer carry it, as HydraFlow's did.
  private async untilStarted(repo: ManagedRepo): Promise<void> {
    const until = Date.now() + (this.options.startWaitMs ?? DEFAULT_START_WAIT_MS);
    while (repo.state === 'starting' && Date.now() < until) await sleep(START_POLL_MS);
  }

  private async remove(request: RemoveRepoRequest): Promise<ActionAnswer> {
    const { manager } = this.options;
    if (request.path === undefined && request.slug === undefined) return fail('Missing path or slug');
    const repo = (request.slug === undefined ? undefined : manager.get(request.slug)) ?? (request.path === undefined ? undefined : await findRepoByPath(manager, request.path));
    if (repo === undefined) return fail('Repo not found');
    const removed = await manager.remove(repo.slug);
    if (!removed) return fail('Repo not found');
    this.logger.info({ slug: repo.slug, path: repo.record.path }, 'repo removed by a control action');
    return { status: 'ok' };
  }
}
