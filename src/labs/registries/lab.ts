// The lab beside the registries lesson: pull from Docker Hub (the mirror), run a registry of your
// own, push to it and pull back, and see why a push without a registry's name is refused.
import { defineLab } from '../lab-definition.ts';

const image = 'localhost:5000/minhaimagem:1.0';

export default defineLab('src/labs/registries/lab.ts', {
  id: 'registries',
  lesson: 'arquitetura/registries',
  title: {
    'pt-BR': 'Registries: baixar, publicar e baixar de volta',
    en: 'Registries: pull, push and pull back',
  },
  hosts: 1,
  steps: [
    {
      id: 'pull-do-hub',
      title: { 'pt-BR': 'Baixe uma imagem do Docker Hub: `docker pull busybox`', en: 'Pull an image from Docker Hub: `docker pull busybox`' },
      commands: [{ host: 'host1', run: 'docker pull busybox' }],
      check: [{ kind: 'pulled', host: 'host1', image: 'busybox' }],
      solution: [{ host: 'host1', run: 'docker pull busybox' }],
    },
    {
      id: 'registry-proprio',
      title: {
        'pt-BR': 'Rode um registry seu na porta 5000: `docker run -d -p 5000:5000 --name registry registry`',
        en: 'Run a registry of your own on port 5000: `docker run -d -p 5000:5000 --name registry registry`',
      },
      commands: [{ host: 'host1', run: 'docker run -d -p 5000:5000 --name registry registry' }],
      check: [{ kind: 'container-running', host: 'host1', image: 'registry', publishes: { hostPort: 5000, containerPort: 5000 } }],
      hints: [
        {
          after: { failures: 2 },
          text: {
            'pt-BR': 'O registry é só mais um container: a imagem `registry` escuta na porta 5000 dentro dele; `-p 5000:5000` a publica no host.',
            en: 'A registry is just another container: the `registry` image listens on port 5000 inside it; `-p 5000:5000` publishes it on the host.',
          },
        },
      ],
      solution: [{ host: 'host1', run: 'docker run -d -p 5000:5000 --name registry registry' }],
    },
    {
      id: 'tag-e-push',
      title: {
        'pt-BR': `Dê à imagem o nome do seu registry e publique: \`docker tag busybox ${image}\` e \`docker push ${image}\``,
        en: `Name the image after your registry and push it: \`docker tag busybox ${image}\` and \`docker push ${image}\``,
      },
      commands: [
        { host: 'host1', run: `docker tag busybox ${image}` },
        { host: 'host1', run: `docker push ${image}` },
      ],
      check: [
        { kind: 'pushed', host: 'host1', image },
        { kind: 'registry-has', host: 'host1', port: 5000, repository: 'minhaimagem', tag: '1.0' },
      ],
      diagnoses: [
        {
          reason: 'registry-parado',
          refines: ['not-pushed'],
          when: { kind: 'image-present', host: 'host1', image },
          message: {
            'pt-BR': 'A imagem tem o nome certo, mas nada foi publicado: o registry em localhost:5000 está rodando? Veja `docker ps`.',
            en: 'The image has the right name, but nothing was pushed: is the registry at localhost:5000 running? See `docker ps`.',
          },
        },
      ],
      solution: [
        { host: 'host1', run: `docker tag busybox ${image}` },
        { host: 'host1', run: `docker push ${image}` },
      ],
    },
    {
      id: 'baixar-de-volta',
      title: {
        'pt-BR': `Apague a cópia local e baixe de volta do seu registry: \`docker rmi ${image}\` e \`docker pull ${image}\``,
        en: `Delete the local copy and pull it back from your registry: \`docker rmi ${image}\` and \`docker pull ${image}\``,
      },
      commands: [
        { host: 'host1', run: `docker rmi ${image}` },
        { host: 'host1', run: `docker pull ${image}` },
      ],
      check: [{ kind: 'pulled', host: 'host1', image }],
      solution: [
        { host: 'host1', run: `docker rmi ${image}` },
        { host: 'host1', run: `docker pull ${image}` },
      ],
    },
    {
      id: 'push-sem-registry',
      title: {
        'pt-BR': 'Tente publicar sem o nome de um registry: `docker push minhaimagem:1.0` (o Docker tenta o Docker Hub, que recusa)',
        en: "Try to push without a registry's name: `docker push minhaimagem:1.0` (Docker tries Docker Hub, which refuses)",
      },
      commands: [
        { host: 'host1', run: 'docker tag busybox minhaimagem:1.0' },
        { host: 'host1', run: 'docker push minhaimagem:1.0' },
      ],
      check: [{ kind: 'api-call', host: 'host1', method: 'POST', path: '/images/minhaimagem/push' }],
      solution: [
        { host: 'host1', run: 'docker tag busybox minhaimagem:1.0' },
        { host: 'host1', run: 'docker push minhaimagem:1.0' },
      ],
    },
  ],
  wrongAttempts: [
    {
      id: 'registry-na-porta-errada',
      step: 'registry-proprio',
      reason: 'port-not-published',
      script: [{ host: 'host1', run: 'docker run -d -p 5001:5000 --name registry registry' }],
    },
    {
      id: 'push-com-registry-parado',
      step: 'tag-e-push',
      reason: 'registry-parado',
      script: [
        { host: 'host1', run: 'docker rm -f registry' },
        { host: 'host1', run: `docker tag busybox ${image}` },
        { host: 'host1', run: `docker push ${image}` },
      ],
    },
  ],
});
