import type { Agent } from 'node:http';
import { SupervisorRequests } from '@repovisor/protocol';
import { nodeHttp } from '../lazy-modules.js';
import type { Connection, HealthResult } from '@repovisor/protocol';
import type { Result } from '@repovisor/kit';

/** The outcome of one probe of a worker. */
export type ProbeResult = Result<{ latencyMs: number; health: HealthResult }, { latencyMs: number; reason: string }>;

/** Where a probe's `GET /healthz` goes: the worker's HTTP port, through a kept-alive agent of the caller's. */
export interface HealthzTarget {
  port: number;
  agent: Agent;
}

/**
 * Probes a worker: a `health` request over its control connection and, when
 * `healthz` is given, a `GET /healthz` on the worker's HTTP port at the same
 * time. Every check must answer within `timeoutMs`.
 */
export async function probeWorker(connection: Connection | undefined, healthz: HealthzTarget | null, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  if (connection === undefined || connection.closed) return { ok: false, latencyMs: 0, reason: 'no control connection' };
  // Settled into a value at once, so an early HTTP failure is never an unhandled rejection.
  const httpCheck = healthz === null ? undefined : getHealthz(healthz, timeoutMs).then(() => null, (error: unknown) => ({ error }));
  let health: HealthResult;
  try {
    health = await connection.request(SupervisorRequests.health, {}, { timeoutMs });
  } catch (error) {
    return { ok: false, latencyMs: elapsed(started), reason: `health request: ${messageOf(error)}` };
  }
  const failed = await httpCheck;
  // Out of descriptors (EMFILE, ENFILE), the supervisor could not open the socket: the shortage is its own,
  // and the worker just answered on its control connection, so the probe is not counted against it.
  if (failed && !isDescriptorShortage(failed.error)) return { ok: false, latencyMs: elapsed(started), reason: `GET /healthz: ${messageOf(failed.error)}` };
  return { ok: true, latencyMs: elapsed(started), health };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

/** A kept-alive agent for one worker's probes: a probe does not pay for a TCP handshake each time. */
export function newProbeAgent(): Agent {
  return new (nodeHttp().Agent)({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
}

function getHealthz({ port, agent }: HealthzTarget, timeoutMs: number): Promise<void> {
  const { request } = nodeHttp();
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent }, (response) => {
      response.resume();
      if (response.statusCode === 200) resolve();
      else reject(new Error(`status ${response.statusCode ?? 'none'}`));
    });
    call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end();
  });
}

function isDescriptorShortage(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
