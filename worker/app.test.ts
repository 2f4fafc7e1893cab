import { exports } from 'cloudflare:workers';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, healthResponseSchema } from '../protocol/index.ts';
import { APIFailure, handleError } from '../protocol/http-errors.ts';

const request = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://doca.test${path}`, init));

describe('control plane', () => {
  it('answers GET /api/health with {"ok":true}', async () => {
    const response = await request('/api/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(healthResponseSchema.parse(await response.json())).toEqual({ ok: true });
  });

  it('answers an unknown API route with a 404 JSON error naming the route', async () => {
    const response = await request('/api/no-such-route', { method: 'POST' });
    expect(response.status).toBe(404);
    const body = apiErrorSchema.parse(await response.json());
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('POST /api/no-such-route');
  });

  it('serves the built site for paths outside /api', async () => {
    const response = await request('/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html lang="pt-BR"');
  });
});

describe('error handler', () => {
  const appThrowing = (error: Error) =>
    new Hono()
      .get('/', () => {
        throw error;
      })
      .onError(handleError);

  it('maps an expected failure to its code and status', async () => {
    const response = await appThrowing(new APIFailure('bad_request', 'Name is too long.')).request('/');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'bad_request', message: 'Name is too long.' } });
  });

  it('keeps client errors raised by middleware as 4xx', async () => {
    const response = await appThrowing(new HTTPException(413, { message: 'Body too large.' })).request('/');
    expect(response.status).toBe(413);
    expect(apiErrorSchema.parse(await response.json()).error.code).toBe('bad_request');
  });

  it('hides the detail of a bug behind a generic 500 with code "internal"', async () => {
    const response = await appThrowing(new Error('secret detail')).request('/');
    expect(response.status).toBe(500);
    const body = apiErrorSchema.parse(await response.json());
    expect(body.error.code).toBe('internal');
    expect(JSON.stringify(body)).not.toContain('secret detail');
  });
});
