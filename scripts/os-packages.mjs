// Makes sure the Debian packages a command needs are installed: installs them with apt-get when
// running as root on Debian/Ubuntu, otherwise stops with one line naming what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * @param {{ packageName: string; provides: string; purpose: string }[]} needs
 *   `provides` is a file the package installs; its absence means the package is missing.
 */
export function ensureDebianPackages(needs) {
  const missing = needs.filter((need) => !existsSync(need.provides));
  if (missing.length === 0) return;
  const names = missing.map((need) => need.packageName);
  const why = missing.map((need) => `${need.packageName} (${need.purpose})`).join(', ');
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`Missing Debian package${names.length > 1 ? 's' : ''}: ${why}. Install with: sudo apt-get install -y ${names.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing ${why} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
  const installed = run(['install', '-y', '--no-install-recommends', ...names]) ||
    (run(['update']) && run(['install', '-y', '--no-install-recommends', ...names]));
  const stillMissing = missing.filter((need) => !existsSync(need.provides));
  if (!installed || stillMissing.length > 0) {
    console.error(`apt-get could not install ${names.join(' ')}: install ${stillMissing.map((n) => n.packageName).join(' ') || names.join(' ')} by hand and run this again.`);
    process.exit(1);
  }
}

export const chromium = {
  packageName: 'chromium',
  provides: '/usr/bin/chromium',
  purpose: 'the browser the end-to-end tests drive',
};
