import { chmod, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { slugKey } from '@repovisor/protocol';

/** Mode of the home and its folders: only the supervisor's user may enter. */
const HOME_MODE = 0o700;

/** Absolute paths of everything under a supervisor's home. */
export interface HomePaths {
  home: string;
  /** `supervisor-state.json`: repos, ports, worker pids and tokens. */
  state: string;
  /** `api-token`: bearer token for mutating HTTP calls. */
  apiToken: string;
  /** `supervisor.pid`: the running supervisor's pid. */
  pidFile: string;
  /** `supervisor-port`: the control port as a decimal number. */
  portFile: string;
  /** `logs/`: one log file per worker. */
  logs: string;
  /** `repos/`: one data root per worker. */
  repos: string;
  /** `logs/<owner-repo>.log`: a worker's stdout and stderr. */
  logFile: (slug: string) => string;
  /** `repos/<owner-repo>`: a worker's data root. */
  dataRoot: (slug: string) => string;
}

/** A supervisor's home cannot be used; the message says why and what to do. */
export class HomeError extends Error {
  override readonly name = 'HomeError';
}

/** The paths under `home` (resolved to an absolute path); creates nothing. */
export function homePaths(home: string): HomePaths {
  const root = resolve(home);
  const logs = join(root, 'logs');
  const repos = join(root, 'repos');
  return {
    home: root,
    state: join(root, 'supervisor-state.json'),
    apiToken: join(root, 'api-token'),
    pidFile: join(root, 'supervisor.pid'),
    portFile: join(root, 'supervisor-port'),
    logs,
    repos,
    logFile: (slug) => join(logs, `${slugKey(slug)}.log`),
    dataRoot: (slug) => join(repos, slugKey(slug)),
  };
}

/** Creates the home and its `logs/` and `repos/` folders with mode 0700, tightening any that were looser. */
export async function prepareHome(home: string): Promise<HomePaths> {
  const paths = homePaths(home);
  for (const folder of [paths.home, paths.logs, paths.repos]) await ensurePrivateFolder(folder);
  return paths;
}

async function ensurePrivateFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true, mode: HOME_MODE });
  } catch (error) {
    throw new HomeError(`Cannot create the supervisor home folder ${folder}: ${(error as Error).message}; check the parent folder's permissions or use another home`, { cause: error });
  }
  const info = await stat(folder);
  if (!info.isDirectory()) throw new HomeError(`${folder} exists but is not a folder; remove it or use another home`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new HomeError(`${folder} belongs to user ${info.uid}, not to this user (${uid}); another user could read its tokens, so use a home of your own`);
  }
  // mkdir's mode is reduced by the umask and ignored for folders that already existed.
  if ((info.mode & 0o777) !== HOME_MODE) await chmod(folder, HOME_MODE);
}
