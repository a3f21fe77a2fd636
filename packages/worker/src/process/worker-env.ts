import { isAbsolute } from 'node:path';
import { slugProblem } from '@repovisor/protocol';

// Checked by hand rather than with a schema library: these eight variables are
// read once, on every worker start, and start-up time is a product feature
// (zod alone costs a fresh process ~40 ms; see docs/BENCHMARKS.md).

/** A worker's settings, read from its environment. */
export interface WorkerSettings {
  slug: string;
  repoPath: string;
  dataRoot: string;
  control: { host: string; port: number } | undefined;
  token: string | undefined;
  httpPort: number | 'off';
  graceMs: number;
  watchIntervalMs: number;
  logLevel: string;
}

/** The outcome of reading the environment: settings, or every problem found. */
export type WorkerEnvResult = { ok: true; settings: WorkerSettings } | { ok: false; problems: string[] };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const CONTROL_ADDRESS = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const WHOLE_NUMBER = /^\d+$/;

/** Reads and validates a worker's settings from `env` (docs/ARCHITECTURE.md, "A worker's environment"). */
export function readWorkerEnv(env: NodeJS.ProcessEnv): WorkerEnvResult {
  const problems: string[] = [];
  // A variable set to the empty string counts as unset.
  const read = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

  const slug = read('REPOVISOR_SLUG');
  if (slug === undefined) problems.push('REPOVISOR_SLUG: REPOVISOR_SLUG is required');
  else {
    const problem = slugProblem(slug);
    if (problem !== undefined) problems.push(`REPOVISOR_SLUG: invalid slug "${slug}": ${problem}`);
  }

  const absolutePath = (name: string): string => {
    const value = read(name);
    if (value === undefined) problems.push(`${name}: ${name} is required`);
    else if (!isAbsolute(value)) problems.push(`${name}: ${name} must be an absolute path`);
    return value ?? '';
  };
  const repoPath = absolutePath('REPOVISOR_REPO_PATH');
  const dataRoot = absolutePath('REPOVISOR_DATA_ROOT');

  let control: WorkerSettings['control'];
  const controlText = read('REPOVISOR_CONTROL');
  if (controlText !== undefined) {
    const match = CONTROL_ADDRESS.exec(controlText);
    if (match === null) problems.push('REPOVISOR_CONTROL: REPOVISOR_CONTROL must be host:port, e.g. 127.0.0.1:7000');
    else {
      control = { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2]) };
      if (control.port < 1 || control.port > 65535) problems.push('REPOVISOR_CONTROL: the port must be between 1 and 65535');
    }
  }

  const token = read('REPOVISOR_TOKEN');
  if (token !== undefined && token.length < 16) problems.push('REPOVISOR_TOKEN: REPOVISOR_TOKEN must be at least 16 characters');
  if (controlText !== undefined && token === undefined) {
    problems.push('REPOVISOR_TOKEN: required when REPOVISOR_CONTROL is set (the supervisor checks it in hello)');
  }

  let httpPort: number | 'off' = 0;
  const portText = read('REPOVISOR_HTTP_PORT');
  if (portText === 'off') httpPort = 'off';
  else if (portText !== undefined) {
    const port = WHOLE_NUMBER.test(portText.trim()) ? Number(portText) : Number.NaN;
    if (Number.isInteger(port) && port >= 0 && port <= 65535) httpPort = port;
    else problems.push('REPOVISOR_HTTP_PORT: REPOVISOR_HTTP_PORT must be 0, a port number from 1 to 65535, or "off"');
  }

  const milliseconds = (name: string, min: number, max: number, fallback: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = WHOLE_NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name}: ${name} must be a whole number of milliseconds from ${min} to ${max}`);
    return fallback;
  };
  const graceMs = milliseconds('REPOVISOR_GRACE_MS', 0, 86_400_000, 30_000);
  const watchIntervalMs = milliseconds('REPOVISOR_WATCH_INTERVAL_MS', 10, 3_600_000, 2000);

  const logLevel = read('REPOVISOR_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`REPOVISOR_LOG_LEVEL: REPOVISOR_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { slug: slug ?? '', repoPath, dataRoot, control, token, httpPort, graceMs, watchIntervalMs, logLevel } };
}
