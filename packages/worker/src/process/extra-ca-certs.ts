import { DEFERRED_CA_CERTS_ENV } from '@repovisor/protocol';

/**
 * Puts the `NODE_EXTRA_CA_CERTS` the supervisor deferred (as
 * {@link DEFERRED_CA_CERTS_ENV}, so that this process did not parse the CA file
 * at its start) back into `env`, for the processes the worker starts. This
 * process itself then has no extra CAs: node 20 reads them only at start-up.
 * A worker makes no TLS connection of its own; one that must would pass the
 * file's certificates as the `ca` option of that connection.
 */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv): void {
  const file = env[DEFERRED_CA_CERTS_ENV];
  if (file === undefined) return;
  delete env[DEFERRED_CA_CERTS_ENV];
  env.NODE_EXTRA_CA_CERTS ??= file;
}
