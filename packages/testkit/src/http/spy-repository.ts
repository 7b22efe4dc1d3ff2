import type { RepositoryCapabilities, SaveOutcome, Session, SessionRepository } from '@session/core';

/** How the wrapped store behaves: normally, failing every call, or never answering. */
export type StoreMode = 'ok' | 'reject' | 'hang';

/**
 * Wraps a repository to count calls and to simulate an outage. `createSession` is in memory by
 * contract and is never failed; the three calls that reach a backend are.
 */
export class SpyRepository<S extends Session = Session> implements SessionRepository<S> {
  readonly calls = { createSession: 0, save: 0, findById: 0, deleteById: 0 };
  readonly findByIdArgs: string[] = [];
  mode: StoreMode = 'ok';

  /** Present when the wrapped repository has it; counted as a `createSession` call. */
  readonly createSessionNow?: () => S;

  constructor(readonly inner: SessionRepository<S>) {
    const createNow = inner.createSessionNow;
    if (typeof createNow === 'function') {
      this.createSessionNow = () => {
        this.calls.createSession++;
        return createNow.call(inner);
      };
    }
  }

  get capabilities(): RepositoryCapabilities {
    return this.inner.capabilities;
  }

  resetCounts(): void {
    for (const key of Object.keys(this.calls) as (keyof typeof this.calls)[]) this.calls[key] = 0;
    this.findByIdArgs.length = 0;
  }

  async #gate(): Promise<void> {
    if (this.mode === 'reject') throw new Error('connect ECONNREFUSED 127.0.0.1:1 (simulated outage)');
    if (this.mode === 'hang') await new Promise<never>(() => {});
  }

  async createSession(): Promise<S> {
    this.calls.createSession++;
    return this.inner.createSession();
  }

  async save(session: S): Promise<SaveOutcome> {
    this.calls.save++;
    await this.#gate();
    return this.inner.save(session);
  }

  async findById(id: string): Promise<S | null> {
    this.calls.findById++;
    this.findByIdArgs.push(id);
    await this.#gate();
    return this.inner.findById(id);
  }

  async deleteById(id: string): Promise<void> {
    this.calls.deleteById++;
    await this.#gate();
    return this.inner.deleteById(id);
  }
}
