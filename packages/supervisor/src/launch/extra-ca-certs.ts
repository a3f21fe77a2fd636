import { DEFERRED_CA_CERTS_ENV } from '@repovisor/protocol';

/**
 * A worker's environment with `NODE_EXTRA_CA_CERTS` moved to
 * {@link DEFERRED_CA_CERTS_ENV}: node would otherwise parse the CA file at the
 * worker's start (~40 ms of CPU per start for a system bundle) for TLS
 * connections a worker never makes. The worker restores it at once for what it
 * runs (packages/worker/src/process/extra-ca-certs.ts). Unchanged without it.
 */
export function deferExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: file, ...rest } = env;
  if (file === undefined) return env;
  return { ...rest, [DEFERRED_CA_CERTS_ENV]: file };
}
