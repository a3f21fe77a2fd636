import { readFileSync } from 'node:fs';
import { request } from 'node:http';
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
    let answer: { status: number; statusText: string; text: string };
    try {
      answer = await send(this.baseUrl + path, method, this.token, body === undefined ? undefined : JSON.stringify(body));
    } catch (error) {
      throw new CliError(`Cannot reach the supervisor at ${this.baseUrl}: ${(error as Error).message}. Is it running?`);
    }
    let parsed: unknown;
    try {
      parsed = answer.text === '' ? {} : JSON.parse(answer.text);
    } catch {
      parsed = { error: answer.text };
    }
    if (answer.status < 200 || answer.status > 299) {
      const { error, details } = parsed as { error?: string; details?: string[] };
      throw new CliError(`${method} ${path}: ${answer.status} ${error ?? answer.statusText}${details ? `\n  - ${details.join('\n  - ')}` : ''}`);
    }
    return parsed as T;
  }
}

// node:http, not fetch: loading fetch's client (undici) on first use would slow every CLI command.
function send(url: string, method: string, token: string, body: string | undefined): Promise<{ status: number; statusText: string; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const call = request(url, { method, headers, timeout: 60_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
    });
    call.on('timeout', () => call.destroy(new Error('no answer within 60 s')));
    call.on('error', reject);
    call.end(body);
  });
}
