// Settings shared by every script that runs the platform on this machine.

/** Keeps wrangler offline and quiet: no metrics, no error reports, no lookups of Cloudflare's edge. */
export const wranglerEnv = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

/** Reads a TCP port from the environment, or stops with one line naming the variable. */
export function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name}=${raw} is not a TCP port: use a whole number from 1 to 65535.`);
    process.exit(2);
  }
  return port;
}
