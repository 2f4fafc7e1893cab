// The lab beside the client lesson: the `docker` command only sends requests to a daemon's API. The
// learner sees client and server apart, makes the same request by hand with curl, and points the
// client at host2's daemon, with flags and then with a context.
import { remoteWithoutTLS } from '../common-mistakes.ts';
import { defineLab } from '../lab-definition.ts';

const context = 'docker context create host2 --docker "host=tcp://host2:2376,ca=$HOME/.docker/ca.pem,cert=$HOME/.docker/cert.pem,key=$HOME/.docker/key.pem"';

export default defineLab('src/labs/client/lab.ts', {
  id: 'client',
  lesson: 'arquitetura/client',
  title: {
    'pt-BR': 'O client é um controle remoto',
    en: 'The client is a remote control',
  },
  hosts: 2,
  steps: [
    {
      id: 'client-e-server',
      title: {
        'pt-BR': 'Veja as duas metades: `docker version` mostra o Client (este comando) e o Server (o daemon que respondeu)',
        en: 'See both halves: `docker version` shows the Client (this command) and the Server (the daemon that answered)',
      },
      commands: [{ host: 'host1', run: 'docker version' }],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/version' }],
      hints: [
        {
          after: { seconds: 90 },
          text: {
            'pt-BR': 'A parte Client vem do programa `docker` deste terminal; a parte Server só aparece porque o daemon respondeu ao pedido `GET /version`.',
            en: 'The Client part comes from the `docker` program in this terminal; the Server part shows only because the daemon answered the `GET /version` request.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker version' }],
    },
    {
      id: 'api-na-mao',
      title: {
        'pt-BR': 'Faça o mesmo pedido à mão, sem o client: `curl --unix-socket $XDG_RUNTIME_DIR/docker.sock http://localhost/version`',
        en: 'Make the same request by hand, without the client: `curl --unix-socket $XDG_RUNTIME_DIR/docker.sock http://localhost/version`',
      },
      commands: [
        { host: 'host1', run: 'echo $DOCKER_HOST' },
        { host: 'host1', run: 'curl --unix-socket $XDG_RUNTIME_DIR/docker.sock http://localhost/version' },
      ],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/version', unversioned: true }],
      diagnoses: [
        {
          reason: 'socket-de-docker-root',
          refines: ['no-hand-made-call'],
          when: { kind: 'command', host: 'host1', command: 'curl\\s.*/run/docker\\.sock.*', example: 'curl --unix-socket /var/run/docker.sock http://localhost/version', failed: true },
          message: {
            'pt-BR': '`/var/run/docker.sock` é o socket de um Docker instalado como root. Aqui o daemon é seu (rootless) e escuta em `$XDG_RUNTIME_DIR/docker.sock`: é o endereço que `echo $DOCKER_HOST` mostra.',
            en: '`/var/run/docker.sock` is the socket of a Docker installed as root. Here the daemon is yours (rootless) and listens on `$XDG_RUNTIME_DIR/docker.sock`: the address `echo $DOCKER_HOST` shows.',
          },
        },
        {
          reason: 'curl-sem-socket',
          refines: ['no-hand-made-call'],
          when: { kind: 'command', host: 'host1', command: '(?!.*--unix-socket)curl\\s.*', example: 'curl http://localhost/version', failed: true },
          message: {
            'pt-BR': 'Sem `--unix-socket`, o curl procura um servidor na porta 80 e não acha nada: o daemon não escuta numa porta deste host, e sim num socket Unix. Use `--unix-socket $XDG_RUNTIME_DIR/docker.sock`.',
            en: 'Without `--unix-socket`, curl looks for a server on port 80 and finds none: the daemon does not listen on a port of this host but on a Unix socket. Use `--unix-socket $XDG_RUNTIME_DIR/docker.sock`.',
          },
        },
      ],
      hints: [
        {
          after: { failures: 1, seconds: 120 },
          text: {
            'pt-BR': 'O client acha o daemon pela variável `DOCKER_HOST` (`unix://…/docker.sock`). O curl fala HTTP por esse mesmo socket; a resposta é o JSON que o `docker version` formatou para você.',
            en: 'The client finds the daemon through the `DOCKER_HOST` variable (`unix://…/docker.sock`). curl speaks HTTP over that same socket; the answer is the JSON `docker version` formatted for you.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'curl --unix-socket $XDG_RUNTIME_DIR/docker.sock http://localhost/version' }],
    },
    {
      id: 'outro-daemon',
      title: {
        'pt-BR': 'Aponte o mesmo client para o daemon do host2, pela rede e com TLS: `docker -H tcp://host2:2376 --tlsverify version`',
        en: "Point the same client at host2's daemon, over the network and with TLS: `docker -H tcp://host2:2376 --tlsverify version`",
      },
      commands: [{ host: 'host1', run: 'docker -H tcp://host2:2376 --tlsverify version' }],
      check: [{ kind: 'api-call', host: 'host2', method: 'GET', path: '/version' }],
      diagnoses: [remoteWithoutTLS(['no-api-call'], 'docker -H tcp://host2:2376 version')],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': '`ls ~/.docker` mostra `ca.pem`, `cert.pem` e `key.pem`: com `--tlsverify` o client prova quem é com eles e confere o certificado do daemon.',
            en: '`ls ~/.docker` shows `ca.pem`, `cert.pem` and `key.pem`: with `--tlsverify` the client proves who it is with them and checks the daemon\'s certificate.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker -H tcp://host2:2376 --tlsverify version' }],
    },
    {
      id: 'contexto',
      title: {
        'pt-BR': 'Guarde o endereço num contexto e use-o: `docker context create host2 --docker "host=tcp://host2:2376,ca=…,cert=…,key=…"` e `docker --context host2 ps`',
        en: 'Keep the address in a context and use it: `docker context create host2 --docker "host=tcp://host2:2376,ca=…,cert=…,key=…"` and `docker --context host2 ps`',
      },
      commands: [
        { host: 'host1', run: context },
        { host: 'host1', run: 'docker --context host2 ps' },
        { host: 'host1', run: 'docker context ls' },
      ],
      check: [
        { kind: 'command', host: 'host1', command: 'docker\\s+context\\s+create\\s+host2\\s.*', example: 'docker context create host2 --docker "…"' },
        { kind: 'command', host: 'host1', command: 'docker\\s+(--context[ =]|-c\\s*)host2\\s+(ps|container\\s+(ls|ps))(\\s.*)?', example: 'docker --context host2 ps' },
        { kind: 'api-call', host: 'host2', method: 'GET', path: '/containers/json' },
      ],
      diagnoses: [
        {
          reason: 'til-entre-aspas',
          refines: ['command-failed'],
          when: { kind: 'command', host: 'host1', command: 'docker\\s+context\\s+create\\s.*~/.*', example: 'docker context create host2 --docker "…ca=~/.docker/ca.pem…"', failed: true },
          message: {
            'pt-BR': 'Entre aspas o shell não troca `~` pela sua pasta, e o Docker procura um arquivo chamado `~/.docker/ca.pem`, que não existe. Use `$HOME/.docker/ca.pem` (o `$HOME` é trocado mesmo entre aspas duplas).',
            en: 'Inside quotes the shell does not turn `~` into your folder, and Docker looks for a file literally named `~/.docker/ca.pem`. Use `$HOME/.docker/ca.pem` (`$HOME` is expanded even inside double quotes).',
          },
        },
        {
          reason: 'docker-host-vence',
          refines: ['command-not-run'],
          when: { kind: 'command', host: 'host1', command: 'docker\\s+context\\s+use\\s+host2', example: 'docker context use host2' },
          message: {
            'pt-BR': 'Neste terminal a variável `DOCKER_HOST` está definida, e ela vale mais que o contexto ativo (o aviso "DOCKER_HOST environment variable overrides the active context"): o `docker ps` seguinte foi ao daemon local. Diga o contexto no comando: `docker --context host2 ps`.',
            en: 'In this terminal the `DOCKER_HOST` variable is set, and it wins over the active context (the warning "DOCKER_HOST environment variable overrides the active context"): the next `docker ps` went to the local daemon. Name the context in the command: `docker --context host2 ps`.',
          },
        },
      ],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'Um contexto é só um nome para um endereço de daemon e seus certificados; `docker context ls` lista os que você tem, e o `default` é o `DOCKER_HOST` deste terminal.',
            en: 'A context is just a name for a daemon\'s address and its certificates; `docker context ls` lists yours, and `default` is this terminal\'s `DOCKER_HOST`.',
          },
        },
      ],
      solution: [
        { host: 'host1', run: context },
        { host: 'host1', run: 'docker --context host2 ps' },
      ],
    },
  ],
  wrongAttempts: [
    {
      id: 'socket-do-docker-root',
      step: 'api-na-mao',
      reason: 'socket-de-docker-root',
      script: [{ host: 'host1', run: 'curl --unix-socket /var/run/docker.sock http://localhost/version' }],
    },
    { id: 'sem-tls', step: 'outro-daemon', reason: 'sem-tls', script: [{ host: 'host1', run: 'docker -H tcp://host2:2376 version' }] },
    {
      id: 'til-entre-aspas',
      step: 'contexto',
      reason: 'til-entre-aspas',
      script: [{ host: 'host1', run: 'docker context create host2 --docker "host=tcp://host2:2376,ca=~/.docker/ca.pem,cert=~/.docker/cert.pem,key=~/.docker/key.pem"' }],
    },
    {
      id: 'context-use',
      step: 'contexto',
      reason: 'docker-host-vence',
      script: [
        { host: 'host1', run: context },
        { host: 'host1', run: 'docker context use host2' },
        { host: 'host1', run: 'docker ps' },
      ],
    },
  ],
});
