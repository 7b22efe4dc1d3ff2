import { type Session, SessionStoreUnavailableError } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { SpyRepository, send, useTestCleanup } from '@session/testkit/http';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const cleanup = useTestCleanup({ afterEach });

describe.each([
  ['express 4', express4],
  ['express 5', express],
] as const)('%s error rules', (_name, factory) => {
  it('a failed save reaches the error handler as SessionStoreUnavailableError; earlier middleware headers stay, the route’s go', async () => {
    const spy = new SpyRepository<Session>(new MemorySessionRepository());
    const seen: unknown[] = [];
    const app = factory();
    app.use((_req, res, next) => {
      res.setHeader('access-control-allow-origin', '*');
      next();
    });
    app.use(session({ repository: spy, storeTimeoutMs: 50 }));
    app.get('/', (req, res) => {
      req.session.set('a', 1);
      res.setHeader('etag', '"route"');
      res.json({ ok: true });
    });
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(err);
      res.status(503).send('down');
    });
    const { url } = await cleanup.serve(app);
    spy.mode = 'hang';
    const res = await send(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.body).toBe('down');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('etag')).not.toBe('"route"');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(SessionStoreUnavailableError);
    expect((seen[0] as SessionStoreUnavailableError).status).toBe(503);
  });
});
