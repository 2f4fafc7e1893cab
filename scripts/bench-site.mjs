// `npm run bench:site`: times clean builds of the site and measures, per page type, the gzipped
// JS and CSS each page loads, split into what loads with the page and what it imports later.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

const runs = Number(process.argv[2] ?? 3);
const dist = 'dist';
const pageTypes = [
  { type: 'landing (pt-BR)', path: '/index.html' },
  { type: 'lesson (pt-BR)', path: '/arquitetura/client/index.html' },
  { type: 'lesson (en)', path: '/en/arquitetura/client/index.html' },
  { type: 'lesson + lab', path: '/arquitetura/fluxo/index.html' },
  { type: 'not found', path: '/404.html' },
];

const buildSeconds = [];
for (let i = 0; i < runs; i++) {
  for (const dir of [dist, '.astro', 'node_modules/.astro', 'node_modules/.vite']) rmSync(dir, { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const build = spawnSync('astro', ['build'], { stdio: 'ignore', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) {
    console.error('astro build failed; run `npm run build` to see why.');
    process.exit(1);
  }
  buildSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}

const gz = (text) => gzipSync(text).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const read = (urlPath) => readFileSync(join(dist, urlPath));

/** Sizes of a module and every module it imports statically; dynamic imports are collected apart. */
function moduleGraph(entryURLs) {
  const seen = new Set();
  const dynamic = new Set();
  let bytes = 0;
  const visit = (url) => {
    if (seen.has(url) || !existsSync(join(dist, url))) return;
    seen.add(url);
    const code = read(url).toString('utf8');
    bytes += gz(code);
    for (const [, spec] of code.matchAll(/\b(?:import|export)\s*(?:[^"'`();]*?\bfrom\s*)?["'`]([^"'`]+\.js)["'`]/g)) {
      visit(posix.resolve(posix.dirname(url), spec));
    }
    for (const [, spec] of code.matchAll(/\bimport\(\s*["'`]([^"'`]+\.js)["'`]\s*\)/g)) {
      dynamic.add(posix.resolve(posix.dirname(url), spec));
    }
  };
  entryURLs.forEach(visit);
  return { bytes, dynamic: [...dynamic].filter((url) => !seen.has(url)) };
}

const rows = pageTypes.map(({ type, path }) => {
  const html = read(path).toString('utf8');
  const tags = (pattern) => [...html.matchAll(pattern)];
  const inlineJS = tags(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g).reduce((sum, [, code]) => sum + (code.trim() ? gz(code) : 0), 0);
  const moduleURLs = tags(/<script[^>]*\bsrc="([^"]+)"[^>]*>/g).map(([, src]) => new URL(src, `http://x${path}`).pathname);
  const modules = moduleGraph(moduleURLs);
  const idle = moduleGraph(modules.dynamic);
  const onUse = moduleGraph(idle.dynamic);
  const css =
    tags(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"[^>]*>/g).reduce((sum, [, href]) => sum + gz(read(new URL(href, `http://x${path}`).pathname)), 0) +
    tags(/<style[^>]*>([\s\S]*?)<\/style>/g).reduce((sum, [, code]) => sum + gz(code), 0);
  return { type, path, css, js: inlineJS + modules.bytes, idle: idle.bytes, onUse: onUse.bytes };
});

const median = [...buildSeconds].sort((a, b) => a - b)[Math.floor(buildSeconds.length / 2)];
console.log(`Site benchmark: ${runs} clean build${runs === 1 ? '' : 's'} (dist/ and caches removed each time)`);
console.log(`build time: median ${median.toFixed(1)} s (runs: ${buildSeconds.map((s) => s.toFixed(1)).join(', ')} s) — target ≤ 60 s`);
console.log('');
const columns = [
  ['page type', 18, (r) => r.type],
  ['page', 34, (r) => r.path],
  ['CSS', 9, (r) => kb(r.css)],
  ['JS at load', 12, (r) => kb(r.js)],
  ['+ at idle', 11, (r) => kb(r.idle)],
  ['= shipped', 11, (r) => kb(r.js + r.idle)],
  ['JS on use', 11, (r) => kb(r.onUse)],
];
const line = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(columns[i][1]) : cell.padStart(columns[i][1]))).join('');
console.log(line(columns.map(([title]) => title)));
for (const row of rows) console.log(line(columns.map(([, , value]) => value(row))));
console.log('');
console.log('All sizes gzipped. JS at load: the page\'s scripts and their static imports; at idle: what those import');
console.log('dynamically once the page is idle; on use: what loads only when the reader reaches for search.');
console.log('Target: a lesson page ships ≤ 30 KB of JS.');
