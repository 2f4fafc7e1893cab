// The lab beside the host lesson: images, containers, networks and volumes live on the Docker host,
// not in a container. The learner creates a network and a volume, writes into the volume from a
// container, removes the container, reads the data back from a new one, and sees what the host holds.
import { defineLab } from '../lab-definition.ts';

const write = "docker run --name escritor -v dados:/dados busybox sh -c 'echo guardado no host > /dados/mensagem.txt'";
const read = 'docker run --rm -v dados:/dados busybox cat /dados/mensagem.txt';

export default defineLab('src/labs/host/lab.ts', {
  id: 'host',
  lesson: 'arquitetura/host',
  title: {
    'pt-BR': 'O que mora no host',
    en: 'What lives on the host',
  },
  hosts: 1,
  steps: [
    {
      id: 'network',
      title: {
        'pt-BR': 'Crie uma network no host: `docker network create rede-doca` (e veja as que já existiam com `docker network ls`)',
        en: 'Create a network on the host: `docker network create rede-doca` (and see the ones already there with `docker network ls`)',
      },
      commands: [
        { host: 'host1', run: 'docker network ls' },
        { host: 'host1', run: 'docker network create rede-doca' },
      ],
      check: [{ kind: 'network-present', host: 'host1', name: 'rede-doca' }],
      hints: [
        {
          after: { seconds: 120 },
          text: {
            'pt-BR': '`bridge`, `host` e `none` o daemon cria sozinho ao iniciar; as suas ficam ao lado delas, no mesmo host.',
            en: '`bridge`, `host` and `none` are made by the daemon when it starts; yours sit beside them, on the same host.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker network create rede-doca' }],
    },
    {
      id: 'volume',
      title: {
        'pt-BR': 'Crie um volume: `docker volume create dados`',
        en: 'Create a volume: `docker volume create dados`',
      },
      commands: [
        { host: 'host1', run: 'docker volume create dados' },
        { host: 'host1', run: 'docker volume inspect dados' },
      ],
      check: [{ kind: 'volume-present', host: 'host1', name: 'dados' }],
      hints: [
        {
          after: { seconds: 120 },
          text: {
            'pt-BR': '`docker volume inspect dados` mostra o `Mountpoint`: uma pasta no disco do host, fora de qualquer container.',
            en: "`docker volume inspect dados` shows its `Mountpoint`: a folder on the host's disk, outside any container.",
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker volume create dados' }],
    },
    {
      id: 'escrever',
      title: {
        'pt-BR': `Escreva no volume de dentro de um container: \`${write}\``,
        en: `Write into the volume from inside a container: \`${write}\``,
      },
      commands: [{ host: 'host1', run: write }],
      check: [{ kind: 'volume-mounted', host: 'host1', volume: 'dados', exitCode: 0 }],
      diagnoses: [
        {
          reason: 'sem-volume',
          refines: ['volume-not-mounted'],
          when: { kind: 'exited', host: 'host1', image: 'busybox' },
          message: {
            'pt-BR': 'O container não achou `/dados`: sem `-v dados:/dados`, o volume não é montado e a pasta não existe nele. Remova-o (`docker rm escritor`) e rode de novo com `-v dados:/dados`.',
            en: 'The container found no `/dados`: without `-v dados:/dados` the volume is not mounted and the folder does not exist in it. Remove it (`docker rm escritor`) and run it again with `-v dados:/dados`.',
          },
        },
      ],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': '`-v dados:/dados` liga o volume `dados` (no host) à pasta `/dados` (no container): o que o container escreve ali vai para o disco do host.',
            en: '`-v dados:/dados` joins the volume `dados` (on the host) to the folder `/dados` (in the container): what the container writes there goes to the host\'s disk.',
          },
        },
      ],
      solution: [{ host: 'host1', run: write }],
    },
    {
      id: 'remover',
      title: {
        'pt-BR': 'Remova o container que escreveu: `docker rm escritor` (o volume fica)',
        en: 'Remove the container that wrote: `docker rm escritor` (the volume stays)',
      },
      commands: [
        { host: 'host1', run: 'docker rm escritor' },
        { host: 'host1', run: 'docker volume ls' },
      ],
      check: [
        { kind: 'container-removed', host: 'host1', name: 'escritor' },
        { kind: 'volume-present', host: 'host1', name: 'dados' },
      ],
      solution: [{ host: 'host1', run: 'docker rm escritor' }],
    },
    {
      id: 'ler',
      title: {
        'pt-BR': `Leia de volta com um container novo: \`${read}\``,
        en: `Read it back with a new container: \`${read}\``,
      },
      commands: [{ host: 'host1', run: read }],
      check: [
        { kind: 'command', host: 'host1', command: 'docker\\s+(container\\s+)?run\\s(?=.*(-v\\s*|--volume[ =]|--mount\\s.*)dados).*\\scat\\s+/dados/mensagem\\.txt', example: read },
        { kind: 'volume-mounted', host: 'host1', volume: 'dados', exitCode: 0 },
      ],
      diagnoses: [
        {
          reason: 'leu-sem-volume',
          refines: ['command-not-run'],
          when: { kind: 'command', host: 'host1', command: '(?!.*dados:)docker\\s+(container\\s+)?run\\s.*\\scat\\s+/dados/mensagem\\.txt', example: 'docker run --rm busybox cat /dados/mensagem.txt', failed: true },
          message: {
            'pt-BR': 'Sem `-v dados:/dados` o container novo não enxerga o volume: o arquivo não está na imagem nem no container, está no volume, que mora no host.',
            en: 'Without `-v dados:/dados` the new container does not see the volume: the file is neither in the image nor in the container, it is in the volume, which lives on the host.',
          },
        },
      ],
      solution: [{ host: 'host1', run: read }],
    },
    {
      id: 'espaco',
      title: {
        'pt-BR': 'Veja o que o host guarda, e quanto ocupa: `docker system df`',
        en: 'See what the host keeps, and how much room it takes: `docker system df`',
      },
      commands: [
        { host: 'host1', run: 'docker system df' },
        { host: 'host1', run: 'docker system df -v' },
      ],
      check: [{ kind: 'api-call', host: 'host1', method: 'GET', path: '/system/df' }],
      solution: [{ host: 'host1', run: 'docker system df' }],
    },
  ],
  wrongAttempts: [
    {
      id: 'escreveu-sem-volume',
      step: 'escrever',
      reason: 'sem-volume',
      script: [{ host: 'host1', run: "docker run --name escritor busybox sh -c 'echo guardado no host > /dados/mensagem.txt'" }],
    },
    {
      id: 'leu-sem-volume',
      step: 'ler',
      reason: 'leu-sem-volume',
      script: [{ host: 'host1', run: 'docker run --rm busybox cat /dados/mensagem.txt' }],
    },
  ],
});
