import { Agent, request } from 'node:http';
import { SupervisorRequests } from '@repovisor/protocol';
import type { Connection, HealthResult } from '@repovisor/protocol';

/** The outcome of one probe of a worker. */
export type ProbeResult =
  | { ok: true; latencyMs: number; health: HealthResult }
  | { ok: false; latencyMs: number; reason: string };

/**
 * Probes a worker twice at once: a `health` request over its control
 * connection and a `GET /healthz` on its HTTP port (skipped for a headless
 * worker). Both must answer within `timeoutMs`.
 */
export async function probeWorker(connection: Connection | undefined, httpPort: number | null, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  if (connection === undefined || connection.closed) return { ok: false, latencyMs: 0, reason: 'no control connection' };
  const [health, http] = await Promise.allSettled([
    connection.request(SupervisorRequests.health, {}, { timeoutMs }),
    httpPort === null ? Promise.resolve() : getHealthz(httpPort, timeoutMs),
  ]);
  if (health.status === 'rejected') return { ok: false, latencyMs: elapsed(), reason: `health request: ${messageOf(health.reason)}` };
  if (http.status === 'rejected') return { ok: false, latencyMs: elapsed(), reason: `GET /healthz: ${messageOf(http.reason)}` };
  return { ok: true, latencyMs: elapsed(), health: health.value };
}

// One kept-alive connection per worker: a probe does not pay for a TCP handshake each time.
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });

function getHealthz(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, path: '/healthz', timeout: timeoutMs, agent: probeAgent }, (response) => {
      response.resume();
      if (response.statusCode === 200) resolve();
      else reject(new Error(`status ${response.statusCode ?? 'none'}`));
    });
    call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end();
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
