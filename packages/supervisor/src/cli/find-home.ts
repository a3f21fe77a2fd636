import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadYaml } from '../lazy-modules.js';
import { CliError, ExitCode } from './exit-codes.js';

/** How a client command was told where the supervisor's home is. */
export interface HomeOptions {
  home?: string;
  config?: string;
}

/**
 * The home a client command talks to: `--home`, else REPOVISOR_HOME, else the
 * home of `--config` (or of ./repos.yaml when it exists), else ./.repovisor.
 * The YAML parser is loaded only when a configuration file has to be read.
 */
export async function findHome(options: HomeOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (options.home !== undefined) return resolve(options.home);
  if (env.REPOVISOR_HOME !== undefined && env.REPOVISOR_HOME !== '') return resolve(env.REPOVISOR_HOME);
  const config = options.config ?? (existsSync('repos.yaml') ? 'repos.yaml' : undefined);
  if (config === undefined) return resolve('.repovisor');
  let text: string;
  try {
    text = readFileSync(config, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${config}: ${(error as Error).message}`, ExitCode.Usage);
  }
  const { parse } = await loadYaml();
  let home: unknown;
  try {
    home = (parse(text, { maxAliasCount: 100 }) as { supervisor?: { home?: unknown } } | null)?.supervisor?.home;
  } catch (error) {
    throw new CliError(`Cannot parse ${config}: ${(error as Error).message}`, ExitCode.Usage);
  }
  return resolve(dirname(resolve(config)), typeof home === 'string' ? home : '.repovisor');
}
