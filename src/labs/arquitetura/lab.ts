// The lab beside the architecture lessons: one client driving its own daemon and a second host's.
import { defineLab } from '../lab-definition.ts';

export default defineLab('src/labs/arquitetura/lab.ts', {
  id: 'arquitetura',
  lesson: 'arquitetura/fluxo',
  title: {
    'pt-BR': 'Client, daemon e registry na prática',
    en: 'Client, daemon and registry in practice',
  },
  hosts: 2,
  steps: [
    {
      id: 'client-e-daemon',
      title: { 'pt-BR': 'Veja o client e o daemon: `docker version`', en: 'See the client and the daemon: `docker version`' },
    },
    {
      id: 'pull-postgres',
      title: { 'pt-BR': 'Baixe uma imagem do registry: `docker pull postgres`', en: 'Download an image from the registry: `docker pull postgres`' },
    },
    {
      id: 'run-postgres',
      title: {
        'pt-BR': 'Rode um container com porta publicada: `docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres`',
        en: 'Run a container with a published port: `docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres`',
      },
    },
    {
      id: 'outro-daemon',
      title: {
        'pt-BR': 'Fale com o daemon do host2 a partir do host1: `docker -H tcp://host2:2376 --tlsverify ps`',
        en: "Talk to host2's daemon from host1: `docker -H tcp://host2:2376 --tlsverify ps`",
      },
    },
  ],
});
