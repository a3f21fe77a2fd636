import { dirname, resolve } from 'node:path';

// The home's folder name when nothing names one: beside repos.yaml, or in the working folder.
const DEFAULT_HOME_NAME = '.repovisor';

/** Where a supervisor's home may be set, in the order {@link resolveHome} tries them. */
export interface HomeSources {
  /** An explicit folder (a client command's `--home`), relative to the working folder. */
  flag?: string | undefined;
  /** The environment whose `REPOVISOR_HOME`, when not empty, comes next, relative to the working folder. */
  env: NodeJS.ProcessEnv;
  /** The configuration file, if there is one. */
  file?: string | undefined;
  /** Reads the file's `supervisor.home`; called only when neither `flag` nor the environment decides. */
  homeSetting?: (file: string) => string | undefined | Promise<string | undefined>;
}

/**
 * The one rule for a supervisor's home (docs/CONFIGURATION.md, docs/CLI.md):
 * `flag`, else a non-empty `REPOVISOR_HOME`, else the file's `supervisor.home`
 * relative to the file's folder, else `.repovisor` beside the file, else
 * `./.repovisor`. Resolves with an absolute path.
 */
export async function resolveHome(sources: HomeSources): Promise<string> {
  if (sources.flag !== undefined) return resolve(sources.flag);
  const fromEnv = sources.env.REPOVISOR_HOME;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  if (sources.file === undefined) return resolve(DEFAULT_HOME_NAME);
  const setting = await sources.homeSetting?.(sources.file);
  return resolve(dirname(resolve(sources.file)), setting ?? DEFAULT_HOME_NAME);
}
