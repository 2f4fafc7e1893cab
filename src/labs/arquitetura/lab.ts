// The lab beside the architecture overview: the client and its daemon (`docker version`), an image
// pulled from a registry, a container run with a published port, and a second host's daemon.
import { postgresWithoutPassword, remoteWithoutTLS } from '../common-mistakes.ts';
import { defineLab } from '../lab-definition.ts';

export default defineLab('src/labs/arquitetura/lab.ts', {
  id: 'arquitetura',
  lesson: 'arquitetura/visao-geral',
  title: {
    'pt-BR': 'Client, daemon e registry na prática',
    en: 'Client, daemon and registry in practice',
  },
  hosts: 2,
  steps: [
    {
      id: 'client-e-daemon',
      title: { 'pt-BR': 'Veja o client e o daemon: `docker version`', en: 'See the client and the daemon: `docker version`' },
      commands: [{ host: 'host1', run: 'docker version' }],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/version' }],
      hints: [
        {
          after: { seconds: 120 },
          text: {
            'pt-BR': 'Rode `docker version` no terminal do host1: o client pergunta a versão ao daemon pela API.',
            en: "Run `docker version` in host1's terminal: the client asks the daemon for its version through the API.",
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker version' }],
    },
    {
      id: 'pull-postgres',
      title: { 'pt-BR': 'Baixe uma imagem do registry: `docker pull postgres`', en: 'Download an image from the registry: `docker pull postgres`' },
      commands: [{ host: 'host1', run: 'docker pull postgres' }],
      check: [{ kind: 'pulled', host: 'host1', image: 'postgres' }],
      solution: [{ host: 'host1', run: 'docker pull postgres' }],
    },
    {
      id: 'run-postgres',
      title: {
        'pt-BR': 'Rode um container com porta publicada: `docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres`',
        en: 'Run a container with a published port: `docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres`',
      },
      commands: [{ host: 'host1', run: 'docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres' }],
      check: [{ kind: 'container-running', host: 'host1', image: 'postgres', publishes: { hostPort: 5433, containerPort: 5432 } }],
      diagnoses: [postgresWithoutPassword],
      solution: [{ host: 'host1', run: 'docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres' }],
    },
    {
      id: 'outro-daemon',
      title: {
        'pt-BR': 'Fale com o daemon do host2 a partir do host1: `docker -H tcp://host2:2376 --tlsverify ps`',
        en: "Talk to host2's daemon from host1: `docker -H tcp://host2:2376 --tlsverify ps`",
      },
      commands: [{ host: 'host1', run: 'docker -H tcp://host2:2376 --tlsverify ps' }],
      check: [{ kind: 'api-call', host: 'host2', method: 'GET', path: '/containers/json' }],
      diagnoses: [remoteWithoutTLS(['no-api-call'], 'docker -H tcp://host2:2376 ps')],
      solution: [{ host: 'host1', run: 'docker -H tcp://host2:2376 --tlsverify ps' }],
    },
  ],
  wrongAttempts: [
    { id: 'sem-senha', step: 'run-postgres', reason: 'postgres-sem-senha', script: [{ host: 'host1', run: 'docker run -d -p 5433:5432 postgres' }] },
    { id: 'porta-trocada', step: 'run-postgres', reason: 'port-not-published', script: [{ host: 'host1', run: 'docker run -d -p 8080:5432 -e POSTGRES_PASSWORD=doca postgres' }] },
    { id: 'sem-tls', step: 'outro-daemon', reason: 'sem-tls', script: [{ host: 'host1', run: 'docker -H tcp://host2:2376 ps' }] },
  ],
});
