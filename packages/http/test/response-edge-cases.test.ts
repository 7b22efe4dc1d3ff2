import type { MapSession, SaveOutcome } from '@session/core';
import { MemorySessionRepository } from '@session/memory';
import { findSetCookie, quietLogger, send } from '@session/testkit/http';
import { describe, expect, it, vi } from 'vitest';
import { serve } from './support/serve.js';

class SlowRepository extends MemorySessionRepository {
  saveDelayMs = 0;
  saves = 0;
  override async save(session: MapSession): Promise<SaveOutcome> {
    this.saves++;
    if (this.saveDelayMs > 0) await new Promise((r) => setTimeout(r, this.saveDelayMs));
    return super.save(session);
  }
}

describe('responses the save has to wait for', () => {
  it('a client that hangs up while the save runs causes no error and no write after the end', async () => {
    const repository = new SlowRepository();
    repository.saveDelayMs = 80;
    const errors: unknown[] = [];
    const onUnhandled = (err: unknown) => errors.push(err);
    process.on('unhandledRejection', onUnhandled);
    const ended = vi.fn();
    const { url } = await serve({ repository, logger: quietLogger }, (_q, res, s) => {
      res.on('error', (err) => errors.push(err));
      s.set('n', 1);
      res.write('partial');
      res.end('rest', ended);
    });
    const controller = new AbortController();
    const pending = fetch(url, { signal: controller.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(await pending).toBe('aborted');
    await new Promise((r) => setTimeout(r, 150));
    process.off('unhandledRejection', onUnhandled);
    expect(errors).toEqual([]);
    expect(repository.saves).toBe(1);
  });

  it('HEAD, 204 and 304 responses carry the new session cookie; end(callback) is called', async () => {
    for (const [method, status] of [
      ['HEAD', 200],
      ['GET', 204],
      ['GET', 304],
    ] as const) {
      const done = vi.fn();
      const { url } = await serve(
        { repository: new MemorySessionRepository(), logger: quietLogger },
        (_q, res, s) => {
          s.set('n', 1);
          res.statusCode = status;
          res.end(done);
        },
      );
      const res = await send(url, { method });
      expect(res.status).toBe(status);
      expect(findSetCookie(res.setCookies)).toBeDefined();
      await vi.waitFor(() => expect(done).toHaveBeenCalled());
    }
  });

  it('flushHeaders waits for the save and sends the cookie', async () => {
    const { url } = await serve(
      { repository: new MemorySessionRepository(), logger: quietLogger },
      (_q, res, s) => {
        s.set('n', 1);
        res.flushHeaders();
        setTimeout(() => res.end('late'), 10);
      },
    );
    const res = await send(url);
    expect(res.body).toBe('late');
    expect(findSetCookie(res.setCookies)).toBeDefined();
  });

  it('a failed save calls the callbacks of the writes it dropped, so awaiting writers do not hang', async () => {
    const repository = new SlowRepository();
    repository.save = async () => {
      throw new Error('connect ECONNREFUSED (simulated)');
    };
    const results: unknown[] = [];
    const { url } = await serve({ repository, logger: quietLogger }, async (_q, res, s) => {
      s.set('n', 1);
      const written = new Promise((resolve) => res.write('a', (err?: unknown) => resolve(err)));
      const ended = new Promise((resolve) => res.end('b', (err?: unknown) => resolve(err)));
      results.push(...(await Promise.all([written, ended])));
    });
    const res = await send(url);
    expect(res.status).toBe(503);
    expect(res.body).toBe('Service Unavailable');
    await vi.waitFor(() => expect(results).toHaveLength(2));
    for (const result of results) expect(result).toBeInstanceOf(Error);
  });
});
