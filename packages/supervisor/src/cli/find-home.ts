import { existsSync, readFileSync } from 'node:fs';
import { resolveHome } from '../home/resolve-home.js';
import { loadYaml } from '../lazy-modules.js';
import { CliError, ExitCode } from './exit-codes.js';

/** How a client command was told where the supervisor's home is. */
export interface HomeOptions {
  home?: string;
  config?: string;
}

/**
 * The home a client command talks to, by {@link resolveHome}'s rule: `--home`,
 * else REPOVISOR_HOME, else the home of `--config` (or of ./repos.yaml when it
 * exists), else ./.repovisor. The YAML parser is loaded only when a
 * configuration file has to be read.
 */
export function findHome(options: HomeOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = options.config ?? (existsSync('repos.yaml') ? 'repos.yaml' : undefined);
  return resolveHome({ flag: options.home, env, file, homeSetting: readHomeSetting });
}

// Only `supervisor.home` is read: the rest of the file is the supervisor's to validate.
async function readHomeSetting(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, ExitCode.Usage);
  }
  const { parse } = await loadYaml();
  let home: unknown;
  try {
    home = (parse(text, { maxAliasCount: 100 }) as { supervisor?: { home?: unknown } } | null)?.supervisor?.home;
  } catch (error) {
    throw new CliError(`Cannot parse ${file}: ${(error as Error).message}`, ExitCode.Usage);
  }
  return typeof home === 'string' ? home : undefined;
}
