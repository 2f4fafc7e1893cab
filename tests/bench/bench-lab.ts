// `npm run bench:lab` (root): the lab as a learner meets it, on the whole platform (start.mjs: the
// site and control plane in wrangler dev, a real agent and sandbox hosts, Debian's Chromium):
//  - Start click → host1's prompt visible, cold (no warm pool) and from the warm pool;
//  - keystroke echo round trip through the control plane vs straight to the agent, same session,
//    measured alternately, and their ratio.
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { benchAgentPort, benchAgentToken, benchBase, benchPort, startPlatform, stopPlatform } from './platform.ts';

const runs = Number(process.argv[2] ?? 5);
const echoes = Number(process.argv[3] ?? 200);
const port = benchPort;
const agentPort = benchAgentPort;
const base = benchBase;
const agentToken = benchAgentToken;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values: number[], digits = 0) =>
  `median ${median(values).toFixed(digits)} ms (min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;

async function startClicks(): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-first-run', '--disable-dev-shm-usage'] });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/arquitetura/visao-geral/`);
    await page.waitForLoadState('networkidle');
    // Timed in the page, from the click event to the prompt's text appearing in host1's terminal.
    const measured = page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let clickedAt = 0;
          document.querySelector('[data-action="start"]')!.addEventListener('click', () => (clickedAt = performance.now()), { capture: true, once: true });
          const panel = document.querySelector('#lab-arquitetura-panel-host1')!;
          new MutationObserver((_, observer) => {
            if (clickedAt && panel.querySelector('.xterm-rows')?.textContent?.includes('host1:')) {
              observer.disconnect();
              resolve(performance.now() - clickedAt);
            }
          }).observe(panel, { subtree: true, childList: true, characterData: true });
        }),
    );
    await page.getByRole('button', { name: 'Começar o laboratório' }).click();
    times.push(await measured);
    const { session } = await (await page.request.get(`${base}/api/sessions?lab=arquitetura`)).json();
    await page.request.delete(`${base}/api/sessions/${session.id}`, { headers: { origin: base } });
    await context.close();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the agent's next report frees the room
  }
  await browser.close();
  return times;
}

/** Round trips of one typed character until its echo comes back, on an open terminal socket. */
async function echoTimes(url: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const socket = new WebSocket(url, { headers });
  socket.binaryType = 'nodebuffer';
  let output = '';
  let waiting: (() => void) | undefined;
  socket.on('message', (data: Buffer, binary) => {
    if (!binary) return;
    output += data.toString();
    waiting?.();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await new Promise((resolve) => setTimeout(resolve, 500)); // the replay
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    output = '';
    const start = performance.now();
    await new Promise<void>((resolve) => {
      waiting = () => output.includes('x') && resolve();
      socket.send(Buffer.from('x'));
    });
    times.push(performance.now() - start);
    if (i % 50 === 49) socket.send(Buffer.from('\x15')); // Ctrl+U clears the line
  }
  socket.send(Buffer.from('\x15'));
  socket.close();
  return times;
}

async function echoRatio() {
  const me = await fetch(`${base}/api/me`);
  const cookie = me.headers.get('set-cookie')!.split(';')[0];
  const session = await (await fetch(`${base}/api/sessions`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ lab: 'arquitetura' }) })).json();
  const [agentSession] = await (await fetch(`http://127.0.0.1:${agentPort}/sessions`, { headers: { authorization: `Bearer ${await agentToken('GET', '/sessions')}` } })).json();
  const viaWorker = { url: `ws://127.0.0.1:${port}/api/sessions/${session.id}/hosts/host1/terminal`, headers: { cookie, origin: base } };
  const directPath = `/sessions/${agentSession.id}/hosts/host1/terminal`;
  const direct = { url: `ws://127.0.0.1:${agentPort}${directPath}`, headers: async () => ({ authorization: `Bearer ${await agentToken('GET', directPath)}` }) };
  const worker: number[] = [];
  const agent: number[] = [];
  // Alternating batches, so both paths see the same machine load.
  for (let batch = 0; batch < 4; batch++) {
    worker.push(...(await echoTimes(viaWorker.url, viaWorker.headers, echoes / 4)));
    agent.push(...(await echoTimes(direct.url, await direct.headers(), echoes / 4)));
  }
  await fetch(`${base}/api/sessions/${session.id}`, { method: 'DELETE', headers: { cookie, origin: base } });
  return { worker, agent };
}

let platform = await startPlatform({ warmPool: '', capacity: 6 });
const cold = await startClicks();
await stopPlatform(platform);
platform = await startPlatform({ warmPool: '2:2', capacity: 6 });
const warm = await startClicks();
const { worker, agent } = await echoRatio();
await stopPlatform(platform);

console.log(`Lab benchmark (${runs} Start clicks each way, ${echoes} echoes each path; Chromium, wrangler dev, real agent)`);
console.log(`Start click → prompt, cold: ${range(cold)} — target ≤ 1500 ms`);
console.log(`Start click → prompt, warm pool: ${range(warm)} — target ≤ 300 ms`);
console.log(`keystroke echo through the control plane: ${range(worker, 2)}; straight to the agent: ${range(agent, 2)}`);
console.log(`echo ratio (median through / median straight): ${(median(worker) / median(agent)).toFixed(2)} — target ≤ 1.3`);
