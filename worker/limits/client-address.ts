// The client address the limits count by. Cloudflare sets CF-Connecting-IP on every request it
// passes to the worker (and strips any a client sent); `wrangler dev` sets it too. X-Forwarded-For
// is whatever the client wrote, so it is never read.
export const unknownAddress = 'unknown';

/**
 * The address behind the request. A request without CF-Connecting-IP (a test, a service binding)
 * counts in one shared bucket: such callers together get one address's limits, not unlimited ones.
 */
export function clientAddress(request: Request): string {
  return request.headers.get('cf-connecting-ip')?.trim() || unknownAddress;
}
