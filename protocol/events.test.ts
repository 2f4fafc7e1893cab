import { describe, expect, it } from 'vitest';
import { factOf, type DockerEvent } from './events.ts';

const event = (type: string, action: string, id: string, attributes: Record<string, string> = {}): DockerEvent => ({ seq: 1, host: 'host1', time: 0, type, action, id, attributes });

describe('facts from Engine events', () => {
  it('names pulled and pushed images with their tag', () => {
    expect(factOf(event('image', 'pull', 'postgres'))).toEqual({ kind: 'pulled', host: 'host1', image: 'postgres:latest' });
    expect(factOf(event('image', 'pull', 'busybox:1.36'))).toEqual({ kind: 'pulled', host: 'host1', image: 'busybox:1.36' });
    expect(factOf(event('image', 'push', 'localhost:5000/minhaimagem'))).toEqual({ kind: 'pushed', host: 'host1', image: 'localhost:5000/minhaimagem:latest' });
    expect(factOf(event('image', 'push', 'localhost:5000/minhaimagem:1.0'))).toEqual({ kind: 'pushed', host: 'host1', image: 'localhost:5000/minhaimagem:1.0' });
  });

  it('turns a tag (what `docker build -t` leaves) into a tagged fact with the image id', () => {
    expect(factOf(event('image', 'tag', 'sha256:abc', { name: 'minhaimagem:1.0' }))).toEqual({ kind: 'tagged', host: 'host1', image: 'minhaimagem:1.0', imageID: 'sha256:abc' });
  });

  it('keeps container names, images and exit codes', () => {
    expect(factOf(event('container', 'die', 'c1', { name: 'web', image: 'nginx', exitCode: '137' }))).toEqual({
      kind: 'container',
      host: 'host1',
      action: 'die',
      container: 'c1',
      name: 'web',
      image: 'nginx',
      exitCode: 137,
    });
    expect(factOf(event('container', 'start', 'c1', { name: 'web', image: 'nginx' }))).not.toHaveProperty('exitCode');
  });

  it('names networks and volumes, with the container they were attached to', () => {
    expect(factOf(event('network', 'connect', 'n1', { name: 'rede', container: 'c1' }))).toEqual({ kind: 'network', host: 'host1', action: 'connect', network: 'rede', container: 'c1' });
    expect(factOf(event('volume', 'create', 'dados'))).toEqual({ kind: 'volume', host: 'host1', action: 'create', volume: 'dados' });
  });

  it('has no fact for events checks do not use', () => {
    expect(factOf(event('container', 'attach', 'c1'))).toBeUndefined();
    expect(factOf(event('container', 'exec_start: bash', 'c1'))).toBeUndefined();
    expect(factOf(event('daemon', 'reload', 'd'))).toBeUndefined();
  });
});
