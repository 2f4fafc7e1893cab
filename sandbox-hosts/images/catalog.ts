// The lab images Doca's Docker Hub mirror serves: their names, tags, how each is built and what it is.
import { z } from 'zod';

const imageName = z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'a Docker Hub repository name');
const imageTag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a Docker tag');

const buildSchema = z.discriminatedUnion('kind', [
  /** A Debian root filesystem made by debootstrap on the host, trimmed by `<name>/trim.sh`, then `docker import`ed. */
  z.object({
    kind: z.literal('debootstrap'),
    suite: z.string(),
    variant: z.string(),
    aptMirror: z.url(),
    /** The image's CMD: `docker import` has no Dockerfile to take it from. */
    cmd: z.array(z.string()).nonempty(),
  }),
  /**
   * `docker build` of `<name>/Dockerfile`. Its context is the image's folder plus `hostFiles` (host binaries,
   * copied in under their base name) and `staticC` (C sources in the folder that bring their own `_start`,
   * compiled on the host into static binaries without a C runtime, named after the source without `.c`).
   */
  z.object({
    kind: z.literal('dockerfile'),
    hostFiles: z.array(z.string().startsWith('/')).default([]),
    staticC: z.array(z.string().endsWith('.c')).default([]),
  }),
]);

const imageSchema = z.object({
  name: imageName,
  tags: z
    .array(imageTag)
    .nonempty()
    // A learner's daemon asks the mirror for `latest` when no tag is given; a miss sends it on to Docker Hub,
    // which is unreachable from the sandboxes and times out.
    .refine((tags) => tags.includes('latest'), 'every image needs a `latest` tag'),
  build: buildSchema,
  description: z.object({ 'pt-BR': z.string().min(1), en: z.string().min(1) }),
});

export type CatalogImage = z.infer<typeof imageSchema>;
export type ImageBuild = CatalogImage['build'];

const catalogSchema = z
  .array(imageSchema)
  .refine((images) => new Set(images.map((image) => image.name)).size === images.length, 'image names must be unique');

/** Listed so that every image comes after the images it is built FROM: the pipeline builds in this order. */
export const catalog: readonly CatalogImage[] = catalogSchema.parse([
  {
    name: 'debian',
    tags: ['bookworm', '12', 'latest'],
    build: {
      kind: 'debootstrap',
      suite: 'bookworm',
      variant: 'minbase',
      aptMirror: 'http://deb.debian.org/debian',
      cmd: ['bash'],
    },
    description: {
      'pt-BR': 'Debian 12 (bookworm) mínimo, com bash e apt: a base das outras imagens.',
      en: 'Minimal Debian 12 (bookworm) with bash and apt: the base of the other images.',
    },
  },
  {
    name: 'busybox',
    tags: ['latest', '1'],
    build: { kind: 'dockerfile', hostFiles: ['/bin/busybox'] },
    description: {
      'pt-BR': 'Um único binário estático com sh e centenas de comandos Unix, sobre uma imagem vazia.',
      en: 'One static binary with sh and hundreds of Unix commands, on an empty image.',
    },
  },
  {
    name: 'hello-world',
    tags: ['latest'],
    build: { kind: 'dockerfile', staticC: ['hello.c'] },
    description: {
      'pt-BR': 'Um programa minúsculo que explica, em português e inglês, o que o Docker acabou de fazer.',
      en: 'A tiny program that explains, in Portuguese and English, what Docker just did.',
    },
  },
  {
    name: 'nginx',
    tags: ['latest', '1'],
    build: { kind: 'dockerfile' },
    description: {
      'pt-BR': 'Servidor web nginx na porta 80, com a página padrão e os logs na saída do contêiner.',
      en: 'The nginx web server on port 80, with its default page and logs on the container output.',
    },
  },
  {
    name: 'postgres',
    tags: ['latest', '15'],
    build: { kind: 'dockerfile' },
    description: {
      'pt-BR': 'PostgreSQL 15 na porta 5432; exige POSTGRES_PASSWORD, como a imagem oficial.',
      en: 'PostgreSQL 15 on port 5432; requires POSTGRES_PASSWORD, like the official image.',
    },
  },
  {
    name: 'redis',
    tags: ['latest', '7'],
    build: { kind: 'dockerfile' },
    description: {
      'pt-BR': 'Redis 7 na porta 6379, aceitando conexões de fora do contêiner.',
      en: 'Redis 7 on port 6379, accepting connections from outside the container.',
    },
  },
  {
    name: 'registry',
    tags: ['latest', '2'],
    build: { kind: 'dockerfile', hostFiles: ['/usr/bin/docker-registry'] },
    description: {
      'pt-BR': 'Um registry de imagens (Distribution 2) na porta 5000, para publicar imagens próprias.',
      en: 'An image registry (Distribution 2) on port 5000, to push images of your own.',
    },
  },
  {
    name: 'openjdk',
    tags: ['latest', '17'],
    build: { kind: 'dockerfile' },
    description: {
      'pt-BR': 'OpenJDK 17 (java, javac, jshell); abre o jshell por padrão.',
      en: 'OpenJDK 17 (java, javac, jshell); opens jshell by default.',
    },
  },
]);

export function findImage(name: string): CatalogImage | undefined {
  return catalog.find((image) => image.name === name);
}
