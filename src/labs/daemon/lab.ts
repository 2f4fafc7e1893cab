// The lab beside the daemon lesson: dockerd is the engine that does the work. The learner asks it
// what it manages, watches the events it emits while another command runs, leaves a container
// running after the client has gone, and stops the daemon to see what comes back with it (a
// container with a restart policy) and what stays, stopped but kept on the host's disk.
import { defineLab } from '../lab-definition.ts';

/** What the learner waits with after `pkill dockerd`: the client fails until the agent has started the daemon again. */
const untilBack = 'until docker ps -a; do sleep 1; done';

export default defineLab('src/labs/daemon/lab.ts', {
  id: 'daemon',
  lesson: 'arquitetura/daemon',
  title: {
    'pt-BR': 'O daemon é o motor',
    en: 'The daemon is the engine',
  },
  hosts: 1,
  steps: [
    {
      id: 'info',
      title: {
        'pt-BR': 'Pergunte ao daemon o que ele gerencia: `docker info`',
        en: 'Ask the daemon what it manages: `docker info`',
      },
      commands: [{ host: 'host1', run: 'docker info' }],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/info' }],
      hints: [
        {
          after: { seconds: 90 },
          text: {
            'pt-BR': 'Na parte Server estão as contas do daemon: containers, imagens, o driver de armazenamento e a pasta onde ele guarda tudo (`Docker Root Dir`).',
            en: "The Server part holds the daemon's accounts: containers, images, the storage driver and the folder where it keeps everything (`Docker Root Dir`).",
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker info' }],
    },
    {
      id: 'eventos',
      title: {
        'pt-BR': 'Escute os eventos do daemon em segundo plano, `timeout 30 docker events &`, e logo rode outro comando: `docker run --rm busybox echo oi`',
        en: "Listen to the daemon's events in the background, `timeout 30 docker events &`, and right away run another command: `docker run --rm busybox echo oi`",
      },
      commands: [
        { host: 'host1', run: 'timeout 30 docker events &' },
        { host: 'host1', run: 'docker run --rm busybox echo oi' },
      ],
      check: [
        { kind: 'api-call', host: 'host1', method: 'GET', path: '/events' },
        { kind: 'started', host: 'host1', image: 'busybox' },
      ],
      hints: [
        {
          after: { failures: 1, seconds: 120 },
          text: {
            'pt-BR': 'O `&` deixa o `docker events` rodando e devolve o terminal; o `timeout 30` o encerra sozinho depois de 30 segundos. Cada linha que aparece (pull, create, start, die, destroy) é o daemon contando o que fez.',
            en: 'The `&` leaves `docker events` running and gives the terminal back; `timeout 30` ends it after 30 seconds. Each line that shows up (pull, create, start, die, destroy) is the daemon telling what it did.',
          },
        },
      ],
      solution: [
        { host: 'host1', run: 'timeout 30 docker events &' },
        { host: 'host1', run: 'docker run --rm busybox echo oi' },
      ],
    },
    {
      id: 'sem-o-client',
      title: {
        'pt-BR': 'Deixe um container rodando depois que o client sai: `docker run -d --name web nginx`',
        en: 'Leave a container running after the client exits: `docker run -d --name web nginx`',
      },
      commands: [
        { host: 'host1', run: 'docker run -d --name web nginx' },
        { host: 'host1', run: 'docker ps' },
      ],
      // Running, and the client that started it is gone: only a detached run (`-d`) gives the prompt
      // back with status 0 while the container goes on; an attached one is still running, or was
      // stopped with the Ctrl+C that ended it.
      check: [
        { kind: 'container-running', host: 'host1', image: 'nginx', name: 'web' },
        { kind: 'command', host: 'host1', command: 'docker (container )?run( .*)? (-[a-zA-Z]*d[a-zA-Z]*|--detach)( .*)?', example: 'docker run -d --name web nginx' },
      ],
      diagnoses: [
        {
          reason: 'parou-com-o-terminal',
          refines: ['container-stopped'],
          when: { kind: 'exited', host: 'host1', image: 'nginx', exitCode: 0 },
          message: {
            'pt-BR': 'O container `web` parou: sem `-d` ele roda preso ao terminal, e o Ctrl+C que devolve o terminal também o para. Remova-o com `docker rm web` e rode de novo com `-d`.',
            en: 'The container `web` stopped: without `-d` it runs tied to the terminal, and the Ctrl+C that gives the terminal back stops it too. Remove it with `docker rm web` and run it again with `-d`.',
          },
        },
      ],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'Com `-d` o client pede ao daemon que crie e ligue o container, mostra o ID e termina. Quem mantém o nginx vivo é o daemon.',
            en: 'With `-d` the client asks the daemon to create and start the container, prints its ID and exits. What keeps nginx alive is the daemon.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker run -d --name web nginx' }],
    },
    {
      id: 'reinicio',
      title: {
        'pt-BR': 'Pare o daemon e veja o que volta com ele: crie `docker run -d --name sempre --restart always nginx`, pare o daemon com `pkill dockerd` e, quando o Doca o religar, veja `docker ps -a`: `sempre` voltou sozinho, `web` ficou parado. Ligue-o: `docker start web`',
        en: 'Stop the daemon and see what comes back with it: create `docker run -d --name sempre --restart always nginx`, stop the daemon with `pkill dockerd` and, once Doca starts it again, look at `docker ps -a`: `sempre` came back by itself, `web` stayed stopped. Start it: `docker start web`',
      },
      commands: [
        { host: 'host1', run: 'docker run -d --name sempre --restart always nginx' },
        { host: 'host1', run: 'pkill dockerd' },
        { host: 'host1', run: 'docker ps -a' },
        { host: 'host1', run: 'docker start web' },
      ],
      // In this order, `sempre` is only looked at once `web` runs again: a stopped `sempre` is then the one the diagnosis explains.
      check: [
        { kind: 'daemon-restarted', host: 'host1' },
        { kind: 'container-running', host: 'host1', image: 'nginx', name: 'web' },
        { kind: 'container-running', host: 'host1', image: 'nginx', name: 'sempre' },
      ],
      diagnoses: [
        {
          reason: 'sem-politica-de-restart',
          refines: ['container-stopped'],
          when: { kind: 'container-running', host: 'host1', image: 'nginx', name: 'web' },
          message: {
            'pt-BR': 'O daemon voltou, mas `sempre` ficou parado, como o `web`: sem `--restart always` o daemon não religa um container ao voltar. Remova-o (`docker rm sempre`), crie de novo com `--restart always` e pare o daemon outra vez.',
            en: 'The daemon came back, but `sempre` stayed stopped, like `web`: without `--restart always` the daemon does not start a container again when it comes back. Remove it (`docker rm sempre`), create it again with `--restart always` and stop the daemon once more.',
          },
        },
      ],
      hints: [
        {
          after: { seconds: 60 },
          text: {
            'pt-BR': 'Sem o daemon, o client não tem com quem falar: `docker ps` responde "Cannot connect to the Docker daemon" até o Doca religar o dockerd (o terminal avisa). Os containers continuam gravados no disco do host.',
            en: 'Without the daemon the client has no one to talk to: `docker ps` answers "Cannot connect to the Docker daemon" until Doca starts dockerd again (the terminal says so). The containers stay written on the host\'s disk.',
          },
        },
        {
          after: { failures: 3 },
          text: {
            'pt-BR': '`docker ps -a` lista também os containers parados: depois que o daemon volta, `web` aparece como `Exited`. Ele continua existindo; `docker start web` o liga de novo.',
            en: '`docker ps -a` lists stopped containers too: after the daemon comes back, `web` shows as `Exited`. It still exists; `docker start web` starts it again.',
          },
        },
      ],
      solution: [
        { host: 'host1', run: 'docker run -d --name sempre --restart always nginx' },
        { host: 'host1', run: 'pkill dockerd' },
        { host: 'host1', run: untilBack },
        { host: 'host1', run: 'docker start web' },
      ],
    },
  ],
  wrongAttempts: [
    {
      id: 'sem-d',
      step: 'sem-o-client',
      reason: 'parou-com-o-terminal',
      // A learner's Ctrl+C after a few seconds, as the terminal sends it.
      script: [{ host: 'host1', run: 'timeout -s INT 3 docker run --name web nginx' }],
    },
    {
      id: 'sem-restart',
      step: 'reinicio',
      reason: 'sem-politica-de-restart',
      script: [
        { host: 'host1', run: 'docker run -d --name sempre nginx' },
        { host: 'host1', run: 'pkill dockerd' },
        { host: 'host1', run: untilBack },
        { host: 'host1', run: 'docker start web' },
      ],
    },
  ],
});
