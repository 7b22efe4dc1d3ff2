import type {
  MapSession,
  RepositoryCapabilities,
  SaveOutcome,
  Session,
  SessionRepository,
} from '@session/core';

const pause = (maxMs: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * maxMs));

/**
 * Wraps a repository and delays every backend call by a random 0 to `maxDelayMs` ms, before and
 * after it runs, the way network latency does. Concurrent requests then interleave their reads and
 * saves in every order, even over the in-memory store whose calls otherwise finish in one tick.
 */
export class LatencyRepository<S extends Session = MapSession> implements SessionRepository<S> {
  /** Present when the wrapped repository has it (making a session needs no I/O: no delay). */
  readonly createSessionNow?: () => S;

  constructor(
    readonly inner: SessionRepository<S>,
    readonly maxDelayMs = 3,
  ) {
    const createNow = inner.createSessionNow;
    if (typeof createNow === 'function') this.createSessionNow = () => createNow.call(inner);
  }

  get capabilities(): RepositoryCapabilities {
    return this.inner.capabilities;
  }

  async #around<T>(call: () => Promise<T>): Promise<T> {
    await pause(this.maxDelayMs);
    const result = await call();
    await pause(this.maxDelayMs);
    return result;
  }

  createSession(): Promise<S> {
    return this.inner.createSession();
  }

  save(session: S): Promise<SaveOutcome> {
    return this.#around(() => this.inner.save(session));
  }

  findById(id: string): Promise<S | null> {
    return this.#around(() => this.inner.findById(id));
  }

  deleteById(id: string): Promise<void> {
    return this.#around(() => this.inner.deleteById(id));
  }

  movedRecently(id: string): Promise<boolean> {
    return this.#around(async () => (await this.inner.movedRecently?.(id)) === true);
  }
}
