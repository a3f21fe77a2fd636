/**
 * Where the supervisor puts `NODE_EXTRA_CA_CERTS` in a worker's environment.
 * Node 20 reads and parses that file at every start, although a worker makes
 * no TLS connection itself; the worker puts it back under its own name first
 * thing, so that whatever it runs still gets it.
 */
export const DEFERRED_CA_CERTS_ENV = 'REPOVISOR_NODE_EXTRA_CA_CERTS';

/**
 * A worker's environment with `NODE_EXTRA_CA_CERTS` moved to
 * {@link DEFERRED_CA_CERTS_ENV} (the supervisor's side). Unchanged without it.
 */
export function deferExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: file, ...rest } = env;
  if (file === undefined) return env;
  return { ...rest, [DEFERRED_CA_CERTS_ENV]: file };
}

/**
 * Puts a deferred `NODE_EXTRA_CA_CERTS` back into `env` (the worker's side),
 * for the processes the worker starts; one the worker was started with wins.
 * The worker itself then has no extra CAs: node 20 reads them only at start.
 */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv): void {
  const file = env[DEFERRED_CA_CERTS_ENV];
  if (file === undefined) return;
  delete env[DEFERRED_CA_CERTS_ENV];
  env.NODE_EXTRA_CA_CERTS ??= file;
}
