import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './exit-codes.js';

/** An HTTP client for a running supervisor, found through its home. */
export class ApiClient {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Reads the supervisor's address from its state file and the API token from `api-token`. */
  static forHome(home: string): ApiClient {
    let address: { host: string; port: number } | null | undefined;
    try {
      const state = JSON.parse(readFileSync(join(home, 'supervisor-state.json'), 'utf8')) as { http?: { host: string; port: number } | null };
      address = state.http;
    } catch (error) {
      throw new CliError(`No supervisor state in ${home} (${(error as Error).message}). Is a supervisor running with this home? Start one with 'supervisor start repos.yaml', or pass --home.`);
    }
    if (address === null || address === undefined) throw new CliError(`The supervisor of ${home} has not published its HTTP address; is it running?`);
    let token: string;
    try {
      token = readFileSync(join(home, 'api-token'), 'utf8').trim();
    } catch (error) {
      throw new CliError(`Cannot read the API token ${join(home, 'api-token')}: ${(error as Error).message}`);
    }
    const host = address.host === '0.0.0.0' ? '127.0.0.1' : address.host === '::' ? '[::1]' : address.host.includes(':') ? `[${address.host}]` : address.host;
    return new ApiClient(`http://${host}:${address.port}`, token);
  }

  /** Calls the API; resolves with the JSON body of a 2xx answer, throws a CliError with the server's error otherwise. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new CliError(`Cannot reach the supervisor at ${this.baseUrl}: ${(error as Error).message}. Is it running?`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { error: text };
    }
    if (!response.ok) {
      const { error, details } = parsed as { error?: string; details?: string[] };
      throw new CliError(`${method} ${path}: ${response.status} ${error ?? response.statusText}${details ? `\n  - ${details.join('\n  - ')}` : ''}`);
    }
    return parsed as T;
  }
}
