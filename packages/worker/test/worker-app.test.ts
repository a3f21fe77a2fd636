import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isLoopbackHost } from '@repovisor/kit';
import { JsonLineLogger, RepoRuntimeRegistry, createWorkerApp } from '@repovisor/worker';
import type { RepoRuntime } from '@repovisor/worker';
import { createGitRepo } from '../../../tests/helpers/git-repo.js';
import { TempDirs } from '../../../tests/helpers/temp-dir.js';

const logger = new JsonLineLogger({ level: 'silent' });
const TOKEN = 'worker-token-0123456789abcdef';
const temp = new TempDirs();
let registry: RepoRuntimeRegistry;
let runtime: RepoRuntime;
let server: Server;
let base: string;

beforeEach(async () => {
  const root = await temp.make();
  registry = new RepoRuntimeRegistry(logger);
  runtime = await registry.add({ slug: 'acme/alpha', repoPath: await createGitRepo(join(root, 'repo')), dataRoot: join(root, 'data'), watchIntervalMs: 50 });
  await runtime.start();
  server = createWorkerApp({ registry, logger, token: TOKEN }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await registry.stopAll();
  await temp.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function call(method: string, path: string, headers: Record<string, string> = auth): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(base + path, { method, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('worker /api/runtimes', () => {
  it('GET /api/runtimes lists exactly this worker runtime', async () => {
    const { status, body } = await call('GET', '/api/runtimes', {});
    expect(status).toBe(200);
    const runtimes = body.runtimes as Record<string, unknown>[];
    expect(runtimes).toHaveLength(1);
    expect(runtimes[0]).toMatchObject({ slug: 'acme/alpha', running: true, last_error: null });
    expect(Object.keys(runtimes[0] ?? {}).sort()).toEqual(['last_error', 'repo', 'running', 'session_id', 'slug', 'uptime_seconds']);
  });

  it('GET /api/runtimes/:slug answers as owner/repo, owner-repo and URL-encoded, and 404 for another', async () => {
    for (const path of ['/api/runtimes/acme/alpha', '/api/runtimes/acme-alpha', '/api/runtimes/acme%2Falpha']) {
      const { status, body } = await call('GET', path, {});
      expect(status).toBe(200);
      expect(body.slug).toBe('acme/alpha');
      expect(body.session_id).toBe(runtime.sessionId);
    }
    expect(await call('GET', '/api/runtimes/acme/beta', {})).toEqual({ status: 404, body: { error: 'Unknown repo: acme/beta' } });
  });

  it('POST stop then start: 200s, then 400 Not running and 409 Already running', async () => {
    expect(await call('POST', '/api/runtimes/acme/alpha/stop')).toEqual({ status: 200, body: { status: 'stopped', slug: 'acme/alpha' } });
    expect(await call('POST', '/api/runtimes/acme/alpha/stop')).toEqual({ status: 400, body: { error: 'Not running' } });
    expect(runtime.running).toBe(false);
    expect(await call('POST', '/api/runtimes/acme-alpha/start')).toEqual({ status: 200, body: { status: 'started', slug: 'acme/alpha' } });
    expect(await call('POST', '/api/runtimes/acme/alpha/start')).toEqual({ status: 409, body: { error: 'Already running' } });
    expect(runtime.running).toBe(true);
  });

  it('start and stop of an unknown slug answer 404', async () => {
    expect((await call('POST', '/api/runtimes/acme/beta/start')).status).toBe(404);
    expect((await call('POST', '/api/runtimes/acme/beta/stop')).status).toBe(404);
    expect((await call('DELETE', '/api/runtimes/acme/beta')).status).toBe(404);
  });

  it('DELETE stops and unregisters the runtime', async () => {
    expect(await call('DELETE', '/api/runtimes/acme/alpha')).toEqual({ status: 200, body: { status: 'removed', slug: 'acme/alpha' } });
    expect(runtime.running).toBe(false);
    expect((await call('GET', '/api/runtimes', {})).body).toEqual({ runtimes: [] });
    expect((await call('GET', '/api/runtimes/acme/alpha', {})).status).toBe(404);
  });

  it('GET /healthz answers 200', async () => {
    const { status, body } = await call('GET', '/healthz', {});
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', pid: process.pid });
  });

  it('refuses /api/repos with 404 and an error that names the supervisor', async () => {
    for (const [method, path] of [['GET', '/api/repos'], ['POST', '/api/repos'], ['GET', '/api/repos/acme/alpha']] as const) {
      const { status, body } = await call(method, path);
      expect(status).toBe(404);
      expect(String(body.error)).toMatch(/supervisor/);
    }
  });

  it('refuses mutating calls without the worker token (401) and leaves the runtime alone', async () => {
    expect((await call('POST', '/api/runtimes/acme/alpha/stop', {})).status).toBe(401);
    expect((await call('POST', '/api/runtimes/acme/alpha/stop', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('DELETE', '/api/runtimes/acme/alpha', {})).status).toBe(401);
    expect(runtime.running).toBe(true);
  });

  it('refuses a mutating call whose body is not JSON (415)', async () => {
    const response = await fetch(`${base}/api/runtimes/acme/alpha/stop`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'stop' });
    expect(response.status).toBe(415);
    expect(runtime.running).toBe(true);
  });

  it('refuses a Host header that is not a loopback name (403)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${base}/api/runtimes`, { headers: { host: 'evil.example.com' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });
});

describe('isLoopbackHost', () => {
  it('accepts loopback names with and without ports and refuses others', () => {
    for (const host of ['localhost', 'localhost:80', '127.0.0.1:8765', '127.1.2.3', '[::1]:9000', 'app.localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['', 'example.com', '127.0.0.1.evil.com', '10.0.0.1', '[::2]']) expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('createWorkerHttpServer', () => {
  it('answers /healthz itself, refuses a foreign Host there too, and serves /api/runtimes through the express app', async () => {
    const { createWorkerHttpServer } = await import('@repovisor/worker');
    const lazy = createWorkerHttpServer({ registry, logger, token: TOKEN }).listen(0, '127.0.0.1');
    await once(lazy, 'listening');
    const url = `http://127.0.0.1:${(lazy.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', pid: process.pid });
      const foreign = await new Promise<number>((resolve, reject) => {
        const call = httpRequest(`${url}/healthz`, { headers: { host: 'evil.example.com' } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        call.on('error', reject);
        call.end();
      });
      expect(foreign).toBe(403);
      const listed = (await (await fetch(`${url}/api/runtimes`)).json()) as { runtimes: { slug: string }[] };
      expect(listed.runtimes.map((entry) => entry.slug)).toEqual(['acme/alpha']);
      expect((await fetch(`${url}/api/runtimes/acme/alpha/stop`, { method: 'POST' })).status).toBe(401);
    } finally {
      lazy.closeAllConnections();
      await new Promise((resolve) => lazy.close(resolve));
    }
  });
});
