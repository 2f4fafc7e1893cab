// The lab beside "why the split": what client and daemon apart make possible. A remote daemon
// reached over TLS (and refused without it), one client driving two daemons, and two clients
// driving one daemon.
import { remoteWithoutTLS } from '../common-mistakes.ts';
import { defineLab } from '../lab-definition.ts';

const remote = 'docker -H tcp://host2:2376 --tlsverify';
/** A command line of host1's client that reached host2 with TLS: the flags in any order. */
const remotely = (rest: string) => `docker\\s(?=.*tcp://host2:2376)(?=.*--tlsverify).*${rest}`;

export default defineLab('src/labs/por-que/lab.ts', {
  id: 'por-que',
  lesson: 'arquitetura/por-que',
  title: {
    'pt-BR': 'Client e daemon separados, na prática',
    en: 'Client and daemon apart, in practice',
  },
  hosts: 2,
  steps: [
    {
      id: 'remoto-e-seguro',
      title: {
        'pt-BR': `Remoto e seguro: do host1, pergunte ao daemon do host2 pela rede, com TLS: \`${remote} info\``,
        en: `Remote and secure: from host1, ask host2's daemon over the network, with TLS: \`${remote} info\``,
      },
      commands: [{ host: 'host1', run: `${remote} info` }],
      check: [
        { kind: 'api-call', host: 'host2', method: 'GET', path: '/info' },
        { kind: 'command', host: 'host1', command: remotely('\\sinfo(\\s.*)?'), example: `${remote} info` },
      ],
      diagnoses: [remoteWithoutTLS(['no-api-call', 'command-not-run'], 'docker -H tcp://host2:2376 info')],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'Compare com `docker info` sem `-H`: o mesmo client, outro daemon, outro host (veja a linha `Name:`).',
            en: 'Compare with `docker info` without `-H`: the same client, another daemon, another host (see the `Name:` line).',
          },
        },
      ],
      solution: [{ host: 'host1', run: `${remote} info` }],
    },
    {
      id: 'um-client-dois-daemons',
      title: {
        'pt-BR': `Um client, dois daemons: do host1, rode um container em cada host: \`docker run -d --name aqui busybox sleep 3600\` e \`${remote} run -d --name la busybox sleep 3600\``,
        en: `One client, two daemons: from host1, run a container on each host: \`docker run -d --name aqui busybox sleep 3600\` and \`${remote} run -d --name la busybox sleep 3600\``,
      },
      commands: [
        { host: 'host1', run: 'docker run -d --name aqui busybox sleep 3600' },
        { host: 'host1', run: `${remote} run -d --name la busybox sleep 3600` },
        { host: 'host1', run: 'docker ps' },
        { host: 'host1', run: `${remote} ps` },
      ],
      check: [
        { kind: 'container-running', host: 'host1', image: 'busybox', name: 'aqui' },
        { kind: 'container-running', host: 'host2', image: 'busybox', name: 'la' },
        { kind: 'command', host: 'host1', command: remotely('\\srun\\s(.*\\s)?--name[ =]la\\s.*'), example: `${remote} run -d --name la busybox sleep 3600` },
      ],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'Os dois comandos saem do mesmo terminal; o `-H` escolhe o daemon que recebe o pedido, e é nesse host que o container roda.',
            en: 'Both commands leave the same terminal; `-H` picks the daemon that gets the request, and that is the host where the container runs.',
          },
        },
      ],
      solution: [
        { host: 'host1', run: 'docker run -d --name aqui busybox sleep 3600' },
        { host: 'host1', run: `${remote} run -d --name la busybox sleep 3600` },
      ],
    },
    {
      id: 'dois-clients-um-daemon',
      title: {
        'pt-BR': `Dois clients, um daemon: no terminal do host2, crie um container, \`docker run -d --name do-host2 busybox sleep 3600\`; do host1, remova-o pela rede: \`${remote} rm -f do-host2\``,
        en: `Two clients, one daemon: in host2's terminal, create a container, \`docker run -d --name do-host2 busybox sleep 3600\`; from host1, remove it over the network: \`${remote} rm -f do-host2\``,
      },
      commands: [
        { host: 'host2', run: 'docker run -d --name do-host2 busybox sleep 3600' },
        { host: 'host2', run: 'docker ps' },
        { host: 'host1', run: `${remote} rm -f do-host2` },
      ],
      check: [
        { kind: 'command', host: 'host2', command: 'docker\\s+(container\\s+)?run\\s(.*\\s)?--name[ =]do-host2\\s.*', example: 'docker run -d --name do-host2 busybox sleep 3600' },
        { kind: 'container-removed', host: 'host2', name: 'do-host2' },
        { kind: 'command', host: 'host1', command: remotely('\\s(container\\s+)?rm\\s+(-\\S+\\s+)*do-host2'), example: `${remote} rm -f do-host2` },
      ],
      diagnoses: [
        {
          reason: 'ainda-rodando',
          refines: ['not-removed', 'command-failed'],
          when: { kind: 'command', host: 'host1', command: remotely('\\s(container\\s+)?rm\\s+do-host2'), example: `${remote} rm do-host2`, failed: true },
          message: {
            'pt-BR': '`do-host2` ainda está rodando, e o daemon não remove um container rodando sem `-f`: use `rm -f do-host2` (ou pare-o antes com `stop`).',
            en: '`do-host2` is still running, and the daemon does not remove a running container without `-f`: use `rm -f do-host2` (or stop it first with `stop`).',
          },
        },
      ],
      hints: [
        {
          after: { seconds: 120 },
          text: {
            'pt-BR': 'O daemon não sabe nem se importa com qual client pediu: quem chega ao socket (ou tem o certificado) manda. É assim que um servidor de CI e você usam o mesmo daemon.',
            en: 'The daemon neither knows nor cares which client asked: whoever reaches its socket (or holds the certificate) is in charge. That is how a CI server and you share one daemon.',
          },
        },
      ],
      solution: [
        { host: 'host2', run: 'docker run -d --name do-host2 busybox sleep 3600' },
        { host: 'host1', run: `${remote} rm -f do-host2` },
      ],
    },
  ],
  wrongAttempts: [
    { id: 'sem-tls', step: 'remoto-e-seguro', reason: 'sem-tls', script: [{ host: 'host1', run: 'docker -H tcp://host2:2376 info' }] },
    {
      id: 'rm-sem-f',
      step: 'dois-clients-um-daemon',
      reason: 'ainda-rodando',
      script: [
        { host: 'host2', run: 'docker run -d --name do-host2 busybox sleep 3600' },
        { host: 'host1', run: `${remote} rm do-host2` },
      ],
    },
  ],
});
