// A real HTTP server standing in for the control plane's activity route, for tests whose subject is
// the agent's side: it checks each report's signature (the agent's key, bound to the path) and shape
// as the control plane does, keeps what it took, and answers what the test tells it to.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { activityReportPath, activityReportSchema, type ActivityReport } from '../../protocol/classes.ts';
import { newKeyPair, type PrivateKeyJWK } from '../../protocol/keys.ts';
import { verifyHeartbeatToken } from '../../protocol/tokens.ts';

export interface ReceivedReport {
  at: number;
  status: number;
  /** The report, when it was signed and well formed. */
  report?: ActivityReport;
  problem?: string;
}

export interface ControlPlaneStandIn {
  url: string;
  agentID: string;
  /** The agent's private key, whose public half the stand-in trusts. */
  agentKey: PrivateKeyJWK;
  /** Every request, in the order it came. */
  received: ReceivedReport[];
  /** The reports it took (answered 2xx). */
  readonly reports: ActivityReport[];
  /** How the next reports of `session` are answered, one status each, before the usual 200. */
  answer(session: string, ...statuses: number[]): void;
  /** Resolves once a taken report matches, or rejects after `timeoutMs` saying what came. */
  waitFor(match: (report: ActivityReport) => boolean, timeoutMs?: number): Promise<ActivityReport>;
  close(): Promise<void>;
}

export async function startControlPlaneStandIn(agentID = 'agent-test'): Promise<ControlPlaneStandIn> {
  const keys = await newKeyPair();
  const path = activityReportPath(agentID);
  const received: ReceivedReport[] = [];
  const answers = new Map<string, number[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const at = Date.now();
      const answer = (status: number, entry: Omit<ReceivedReport, 'at' | 'status'>) => {
        received.push({ at, status, ...entry });
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { recorded: { cells: 0, commands: 0 } } : { error: entry.problem ?? 'told to fail' }));
      };
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const check = await verifyHeartbeatToken(token, { agentKey: keys.publicKey, agentID, method: request.method ?? '', path: request.url ?? '' });
      if (!check.ok || request.url !== path) return answer(401, { problem: check.ok ? `wrong path ${request.url}` : check.reason });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return answer(400, { problem: 'not JSON' });
      }
      const report = activityReportSchema.safeParse(body);
      if (!report.success) return answer(400, { problem: report.error.message });
      answer(answers.get(report.data.session)?.shift() ?? 200, { report: report.data });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const taken = () => received.filter((entry) => entry.status < 300 && entry.report).map((entry) => entry.report!);
  return {
    url: `http://127.0.0.1:${port}`,
    agentID,
    agentKey: keys.privateKey,
    received,
    get reports() {
      return taken();
    },
    answer: (session, ...statuses) => answers.set(session, [...(answers.get(session) ?? []), ...statuses]),
    async waitFor(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = taken().find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching report within ${timeoutMs} ms; received:\n${JSON.stringify(received, null, 1).slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
