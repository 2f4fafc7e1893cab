// `npm start`: builds the site, then serves it and the control plane with wrangler dev.
// Ctrl+C stops everything it started. `--no-build` serves the dist/ already built (the browser tests do).
import { spawn, spawnSync } from 'node:child_process';
import { portFromEnv, wranglerEnv } from './local-env.mjs';

const port = portFromEnv('PORT', 8787);
const env = { ...process.env, ...wranglerEnv, ASTRO_TELEMETRY_DISABLED: '1' };

if (!process.argv.includes('--no-build')) {
  const build = spawnSync('astro', ['build'], { stdio: 'inherit', env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'], {
  stdio: 'inherit',
  env,
});
console.log(`Doca: http://127.0.0.1:${port}/ (pt-BR) and http://127.0.0.1:${port}/en/ (English). Ctrl+C stops it.`);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
