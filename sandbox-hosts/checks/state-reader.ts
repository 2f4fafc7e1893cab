// How a session's hosts are now, read for the lab checks without changing anything: list calls to
// each learner's daemon for its images, containers, networks and volumes (through its checked
// socket, under the agent's own API version so they never count as the learner's), a TCP connect
// to a published port, the registry API of a registry the learner runs. All of it is the learner's
// to shape: answers are size-capped, parsed with zod, and every read has a deadline.
import { request } from 'node:http';
import { connect } from 'node:net';
import { z } from 'zod';
import type { ContainerState, StateReader } from '../../src/labs/checks/state-conditions.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { engineRequest, learnerSocket } from '../system/docker-engine.ts';

/** A read that takes longer is "could not check". */
const readTimeoutMs = 1_500;
/** What a registry's tag list may weigh. */
const maxRegistryAnswerBytes = 256 * 1024;
/** Entries kept of a listing (a learner may make thousands of images or containers). */
const maxListed = 2_000;

const imagesSchema = z.array(z.object({ RepoTags: z.array(z.string()).nullish() }));
const containersSchema = z.array(
  z.object({
    Names: z.array(z.string()).nullish(),
    Image: z.string(),
    State: z.string(),
    Status: z.string(),
    Ports: z.array(z.object({ PrivatePort: z.number(), PublicPort: z.number().optional(), Type: z.string() })).nullish(),
  }),
);
const networksSchema = z.array(z.object({ Name: z.string() }));
const volumesSchema = z.object({ Volumes: z.array(z.object({ Name: z.string() })).nullish() });
const tagsSchema = z.object({ tags: z.array(z.string()).nullish() });

export function engineStateReader(hosts: readonly SandboxHostRecord[]): StateReader {
  const hostNamed = (name: string) => {
    const host = hosts.find((candidate) => candidate.name === name);
    if (!host) throw new Error(`the session has no ${name}`);
    return host;
  };
  const read = async <T>(name: string, path: string, schema: z.ZodType<T>): Promise<T> => {
    const host = hostNamed(name);
    const { status, body } = await engineRequest(learnerSocket(host.dockerSocket, host.uid), 'GET', path, readTimeoutMs);
    if (status !== 200) throw new Error(`${name}'s daemon answered ${status} to GET ${path}`);
    return schema.parse(JSON.parse(body));
  };
  const list = async <T>(name: string, path: string, schema: z.ZodType<T[]>): Promise<T[]> => (await read(name, path, schema)).slice(0, maxListed);
  return {
    async images(name) {
      return (await list(name, '/images/json', imagesSchema)).flatMap((image) => image.RepoTags ?? []);
    },
    async containers(name) {
      return (await list(name, '/containers/json?all=1', containersSchema)).map(
        (container): ContainerState => ({
          name: (container.Names?.[0] ?? '').replace(/^\//, ''),
          image: container.Image,
          running: container.State === 'running',
          status: container.Status.slice(0, 200),
          ports: (container.Ports ?? []).filter((port) => port.Type === 'tcp').map((port) => ({ containerPort: port.PrivatePort, ...(port.PublicPort ? { hostPort: port.PublicPort } : {}) })),
        }),
      );
    },
    async networks(name) {
      return (await list(name, '/networks', networksSchema)).map((network) => network.Name);
    },
    async volumes(name) {
      return ((await read(name, '/volumes', volumesSchema)).Volumes ?? []).slice(0, maxListed).map((volume) => volume.Name);
    },
    portOpen: (name, port) => tcpAnswers(hostNamed(name).address, port),
    registryTags: (name, port, repository) => registryTags(hostNamed(name).address, port, repository),
  };
}

function tcpAnswers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: readTimeoutMs });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function registryTags(address: string, port: number, repository: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: `/v2/${repository}/tags/list`, timeout: readTimeoutMs }, (res) => {
      if (res.statusCode === 404) {
        res.resume();
        return resolve([]);
      }
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`the registry at ${address}:${port} answered ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxRegistryAnswerBytes) {
          req.destroy();
          return reject(new Error(`the registry at ${address}:${port} answered more than ${maxRegistryAnswerBytes} bytes`));
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        try {
          resolve((tagsSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8'))).tags ?? []).slice(0, maxListed));
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the registry at ${address}:${port} did not answer within ${readTimeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
