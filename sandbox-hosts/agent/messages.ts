// Lines the agent writes into a learner's terminal. The agent doesn't know the page's language, so
// each says it in Portuguese and in English; the lab UI also gets a `daemon` control message to
// show in its own language.

export const terminalNotices = {
  daemonRestarting: [
    '[doca] O daemon Docker (dockerd) deste host parou. Reiniciando…',
    "[doca] This host's Docker daemon (dockerd) stopped. Restarting…",
  ],
  daemonRestarted: [
    '[doca] O dockerd voltou. Contêineres sem política de restart ficaram parados: veja `docker ps -a`.',
    '[doca] dockerd is back. Containers without a restart policy stayed stopped: see `docker ps -a`.',
  ],
  daemonFailed: [
    '[doca] O dockerd parou várias vezes seguidas e não será reiniciado. Comece uma nova sessão.',
    '[doca] dockerd stopped several times in a row and will not be restarted. Start a new session.',
  ],
  sessionExpired: ['[doca] O tempo desta sessão acabou.', 'This session has reached its time limit.'],
  sessionIdle: ['[doca] Sessão encerrada por inatividade.', 'This session ended after being idle.'],
  sessionDeleted: ['[doca] Sessão encerrada.', 'This session has ended.'],
} as const;

export const noticeText = (lines: readonly string[]) => lines.join('\n');
