import {
  isValidSessionId,
  MapSession,
  type RepositoryCapabilities,
  type SaveOutcome,
  type SessionRepository,
} from '@session/core';

interface Stored {
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveIntervalMs: number;
  attributes: Map<string, unknown>;
}

/**
 * A minimal delta-saving store that, unlike the memory store, does not touch sessions when it
 * reads them: the HTTP layer has to refresh `lastAccessedTime` itself.
 */
export class PlainRepository implements SessionRepository<MapSession> {
  readonly capabilities: RepositoryCapabilities = { indexed: false, events: false };
  readonly stored = new Map<string, Stored>();

  constructor(private readonly clock: () => number = Date.now) {}

  async createSession(): Promise<MapSession> {
    return new MapSession({ now: this.clock() });
  }

  async save(session: MapSession): Promise<SaveOutcome> {
    const delta = session.getDelta();
    if (!delta.hasChanges) return { status: 'unchanged', id: delta.id };
    let record = this.stored.get(delta.originalId);
    if (record === undefined) {
      if (!delta.isNew) return { status: 'deleted', id: delta.originalId }; // never resurrect
      record = {
        creationTime: delta.creationTime,
        lastAccessedTime: delta.lastAccessedTime,
        maxInactiveIntervalMs: delta.maxInactiveIntervalMs,
        attributes: new Map(),
      };
    }
    this.stored.delete(delta.originalId);
    this.stored.set(delta.id, record);
    for (const [name, value] of delta.setAttributes) record.attributes.set(name, value);
    for (const name of delta.removedAttributes) record.attributes.delete(name);
    record.lastAccessedTime = delta.lastAccessedTime;
    record.maxInactiveIntervalMs = delta.maxInactiveIntervalMs;
    session.markSaved(delta);
    return { status: 'written', id: delta.id };
  }

  async findById(id: string): Promise<MapSession | null> {
    if (!isValidSessionId(id)) return null;
    const record = this.stored.get(id);
    if (record === undefined) return null;
    return new MapSession({ id, isNew: false, ...record, attributes: new Map(record.attributes) });
  }

  async deleteById(id: string): Promise<void> {
    this.stored.delete(id);
  }
}
