// Its own module, apart from the express guards (request-guards.ts): a
// program's HTTP server needs it from the start, the guards only once the
// express app loads.

/** True when `host` (a Host header, with or without port) names the loopback interface. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return lower === 'localhost' || lower.endsWith('.localhost') || lower === '::1' || /^127(\.\d{1,3}){3}$/.test(lower);
}
