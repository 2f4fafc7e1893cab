// The lab beside "the path of a command": the lesson's `docker run -p 5433:5432 postgres`, first as
// written (the daemon does its part, postgres refuses to start without a password and the client
// shows its logs), then detached with a password, its logs asked for by ID, and a query on the
// published port.
import { postgresWithoutPassword } from '../common-mistakes.ts';
import { defineLab } from '../lab-definition.ts';

const run = 'docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres';
const query = "PGPASSWORD=doca psql -h localhost -p 5433 -U postgres -c 'select 1'";

export default defineLab('src/labs/fluxo/lab.ts', {
  id: 'fluxo',
  lesson: 'arquitetura/fluxo',
  title: {
    'pt-BR': 'O caminho de `docker run -p 5433:5432 postgres`',
    en: 'The path of `docker run -p 5433:5432 postgres`',
  },
  hosts: 1,
  steps: [
    {
      id: 'como-na-licao',
      title: {
        'pt-BR': 'Rode o exemplo como está na lição: `docker run -p 5433:5432 postgres`. O client mostra os logs, e o postgres se recusa a começar',
        en: 'Run the example as the lesson has it: `docker run -p 5433:5432 postgres`. The client shows the logs, and postgres refuses to start',
      },
      commands: [{ host: 'host1', run: 'docker run -p 5433:5432 postgres' }],
      check: [
        { kind: 'api-call', host: 'host1', method: 'POST', path: '/containers/create' },
        { kind: 'pulled', host: 'host1', image: 'postgres' },
        { kind: 'exited', host: 'host1', image: 'postgres', exitCode: 1 },
      ],
      hints: [
        {
          after: { seconds: 90 },
          text: {
            'pt-BR': 'O daemon fez a parte dele: procurou a imagem, baixou do registry, criou o container, mapeou a porta e o ligou. Quem parou foi o programa de dentro: o postgres pede uma senha (`POSTGRES_PASSWORD`). Sem `-d`, o client fica mostrando os logs.',
            en: 'The daemon did its part: looked for the image, pulled it from the registry, created the container, mapped the port and started it. What stopped is the program inside: postgres asks for a password (`POSTGRES_PASSWORD`). Without `-d`, the client keeps showing the logs.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker run -p 5433:5432 postgres' }],
    },
    {
      id: 'com-senha',
      title: {
        'pt-BR': `Agora em segundo plano e com a senha: \`${run}\` (o client mostra o ID do container)`,
        en: `Now in the background and with the password: \`${run}\` (the client shows the container's ID)`,
      },
      commands: [{ host: 'host1', run }],
      check: [{ kind: 'container-running', host: 'host1', image: 'postgres', publishes: { hostPort: 5433, containerPort: 5432 } }],
      diagnoses: [postgresWithoutPassword],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': '`-p 5433:5432` vem nessa ordem: a porta do host primeiro, a do container depois.',
            en: '`-p 5433:5432` comes in that order: the host\'s port first, the container\'s second.',
          },
        },
      ],
      solution: [{ host: 'host1', run }],
    },
    {
      id: 'logs',
      title: {
        'pt-BR': 'Com o ID que o client mostrou, peça os logs ao daemon: `docker logs <ID>` (os primeiros caracteres bastam)',
        en: 'With the ID the client showed, ask the daemon for the logs: `docker logs <ID>` (its first characters are enough)',
      },
      commands: [
        { host: 'host1', run: 'docker ps' },
        { host: 'host1', run: 'docker logs $(docker ps -lq)' },
      ],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/containers/[^/]+/logs' }],
      hints: [
        {
          after: { seconds: 90 },
          text: {
            'pt-BR': '`docker ps` mostra o ID na primeira coluna. Os logs não estão no client: ele os pede ao daemon, que os guarda no host.',
            en: '`docker ps` shows the ID in its first column. The logs are not in the client: it asks the daemon for them, which keeps them on the host.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker logs $(docker ps -lq)' }],
    },
    {
      id: 'psql',
      title: {
        'pt-BR': `Fale com o postgres pela porta mapeada no host: \`${query}\``,
        en: `Talk to postgres through the port mapped on the host: \`${query}\``,
      },
      commands: [{ host: 'host1', run: query }],
      check: [
        { kind: 'container-running', host: 'host1', image: 'postgres', publishes: { hostPort: 5433, containerPort: 5432 } },
        { kind: 'command', host: 'host1', command: '(PGPASSWORD=\\S+\\s+)?psql\\s(?=.*5433).*', example: query },
      ],
      diagnoses: [
        {
          reason: 'porta-do-container',
          refines: ['command-not-run'],
          when: { kind: 'command', host: 'host1', command: '(PGPASSWORD=\\S+\\s+)?psql\\s(?!.*5433).*', example: "psql -h localhost -p 5432 -U postgres -c 'select 1'", failed: true },
          message: {
            'pt-BR': 'O psql precisa da porta do host: 5432 é a porta de dentro do container, e o `-p 5433:5432` a publicou no host como 5433. Use `-p 5433`.',
            en: "psql needs the host's port: 5432 is the port inside the container, and `-p 5433:5432` published it on the host as 5433. Use `-p 5433`.",
          },
        },
        {
          reason: 'postgres-ainda-iniciando',
          refines: ['command-failed'],
          when: { kind: 'container-running', host: 'host1', image: 'postgres', publishes: { hostPort: 5433, containerPort: 5432 } },
          message: {
            'pt-BR': 'O container está rodando, mas o postgres não aceitou a conexão: ele leva alguns segundos para iniciar (`docker logs` mostra "ready to accept connections"), e a senha é a do `POSTGRES_PASSWORD`. Tente de novo.',
            en: 'The container is running, but postgres did not take the connection: it needs a few seconds to start (`docker logs` shows "ready to accept connections"), and the password is the one in `POSTGRES_PASSWORD`. Try again.',
          },
        },
      ],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'O psql roda no host, fora do container: ele chega ao postgres pela porta 5433 que o daemon mapeou.',
            en: 'psql runs on the host, outside the container: it reaches postgres through port 5433, which the daemon mapped.',
          },
        },
      ],
      solution: [
        // postgres takes a few seconds to accept connections after its container starts.
        { host: 'host1', run: 'until pg_isready -h localhost -p 5433; do sleep 1; done' },
        { host: 'host1', run: query },
      ],
    },
  ],
  wrongAttempts: [
    { id: 'sem-senha', step: 'com-senha', reason: 'postgres-sem-senha', script: [{ host: 'host1', run: 'docker run -d -p 5433:5432 postgres' }] },
    { id: 'porta-trocada', step: 'com-senha', reason: 'port-not-published', script: [{ host: 'host1', run: 'docker run -d -p 8080:5432 -e POSTGRES_PASSWORD=doca postgres' }] },
    {
      id: 'porta-do-container',
      step: 'psql',
      reason: 'porta-do-container',
      script: [{ host: 'host1', run: "PGPASSWORD=doca psql -h localhost -p 5432 -U postgres -c 'select 1'" }],
    },
  ],
});
