/**
 * The save: Hazelcast's answer to an atomic delta write without server-side code. Spring's
 * repository sends an entry processor (Java) to the member; here the merge runs in the client
 * and lands with compare-and-set (`replaceIfSame` on the exact stored text), retried with a
 * jittered back-off until it wins. So concurrent saves of different attributes all persist, and
 * a session deleted, expired or moved meanwhile is never written back.
 *
 * Map locks are not used: hazelcast-client 5.x sends every `lock` with the same thread id, so a
 * lock is re-entrant for the whole client and would not keep two saves in one process apart.
 */

import {
  type AttributeCodec,
  type IndexResolver,
  type IndexValues,
  InvalidSessionIdError,
  indexesMayChange,
  type MapSession,
  type PreparedSave,
  rejectedOutcome,
  resolveIndexValues,
  resolveMergedIndexValues,
  type SaveMode,
  type SaveOutcome,
  type SessionDelta,
  SessionStoreUnavailableError,
  shortSessionId,
  writtenOutcome,
} from '@session/core';
import { HazelcastJsonValue } from 'hazelcast-client';
import {
  attributeNames,
  attributeText,
  documentText,
  type EncodedAttribute,
  isDocumentExpired,
  isMoveMarker,
  jsonTextOf,
  mergeDelta,
  newDocument,
  parseDocument,
  type SessionDocument,
} from './document.js';
import { compareAndSet, readText } from './entry-ops.js';
import { documentTtl } from './entry-ttl.js';
import { moveSession, restoreTrailTtl } from './id-move.js';
import type { MapConnection } from './map-connection.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Random pause before a compare-and-set retry; grows with the attempt so crowds spread out. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(50, 2 ** Math.min(attempt, 6));
  return sleep(Math.floor(Math.random() * ceiling));
}

/** What {@link CompareAndSetSave} needs from the repository. */
export interface CompareAndSetSaveOptions {
  readonly connection: MapConnection;
  readonly maxSaveAttempts: number;
  readonly clock: () => number;
  readonly codec: AttributeCodec;
  readonly indexResolver: IndexResolver<MapSession>;
  readonly saveMode: SaveMode;
  /** Logs and removes a stored document that cannot be read (bad data is no session). */
  readonly discardCorrupt: (key: string, reason: unknown) => Promise<void>;
}

/**
 * Writes prepared saves: a first save with `putIfAbsent`, later ones as a compare-and-set merge
 * of the delta into the stored document, an id change through the move protocol (id-move.ts).
 * Remembers the exact text each session object was read or written as, so the first
 * compare-and-set of a save needs no read.
 */
export class CompareAndSetSave {
  readonly #options: CompareAndSetSaveOptions;
  /** The key and exact text each session object was last read or written as. */
  readonly #known = new WeakMap<MapSession, { key: string; text: string }>();
  /** Key of a first save that was sent but not confirmed (its response may have been lost). */
  readonly #unconfirmedInserts = new WeakMap<MapSession, string>();

  constructor(options: CompareAndSetSaveOptions) {
    this.#options = options;
  }

  /** Notes the text `session` was read as under `key` (its next save's first compare-and-set uses it). */
  remember(session: MapSession, key: string, text: string): void {
    this.#known.set(session, { key, text });
  }

  /** Writes one prepared save and says what happened. */
  save(save: PreparedSave<EncodedAttribute>): Promise<SaveOutcome> {
    return save.delta.isNew ? this.#insert(save) : this.#update(save, save.delta);
  }

  async #insert(save: PreparedSave<EncodedAttribute>): Promise<SaveOutcome> {
    const { session, delta, encoded } = save;
    const doc = newDocument(delta, encoded, resolveIndexValues(this.#options.indexResolver, session));
    const text = documentText(doc);
    const ttl = documentTtl(doc, this.#options.clock());
    const retry = this.#unconfirmedInserts.get(session) === delta.id;
    this.#unconfirmedInserts.set(session, delta.id);
    const existing = await this.#options.connection.call('putIfAbsent', (map) =>
      map.putIfAbsent(delta.id, new HazelcastJsonValue(text), ttl),
    );
    this.#unconfirmedInserts.delete(session);
    if (existing !== null && existing !== undefined) {
      // An earlier attempt of this first save may have been applied although it failed for us (a
      // dropped connection losing the response): then the entry is this session, and the save
      // becomes an update of it. Anything else is an id collision.
      if (retry && isEarlierAttempt(delta, existing)) {
        return this.#update(save, { ...delta, isNew: false, idChanged: false, originalId: delta.id });
      }
      throw new InvalidSessionIdError(
        'The new session id is already in use: the id generator repeated an id',
      );
    }
    this.remember(session, delta.id, text);
    return writtenOutcome(delta.id);
  }

  /**
   * Merges the delta into the stored document with compare-and-set, retrying on conflicts.
   * Writes nothing when the session is gone (`deleted`), past its idle time (`expired`) or was
   * moved to another id by another copy (`moved`: the marker is never followed).
   */
  async #update(save: PreparedSave<EncodedAttribute>, delta: SessionDelta): Promise<SaveOutcome> {
    const { session, encoded } = save;
    const { connection, maxSaveAttempts, clock } = this.#options;
    const key = delta.originalId;
    const cached = this.#known.get(session);
    let known = cached?.key === key ? cached.text : undefined;
    /** A TTL restart of a lost compare-and-set reached the entry (see {@link restoreTrailTtl}). */
    let strayTtl = false;
    for (let attempt = 1; attempt <= maxSaveAttempts; attempt++) {
      const text = known ?? (await readText(connection, key));
      known = undefined;
      if (text === null) return rejectedOutcome('deleted', key);
      const stored = await this.#parseStored(key, text);
      if (stored === null) return rejectedOutcome('deleted', key);
      if (isMoveMarker(stored)) {
        if (strayTtl) await restoreTrailTtl(connection, key, stored, clock());
        return rejectedOutcome('moved', key);
      }
      const now = clock();
      if (isDocumentExpired(stored, now)) return rejectedOutcome('expired', key);
      const target = delta.idChanged ? delta.id : key;
      const merged = mergeDelta(target, stored, delta, encoded, this.#indexesAfter(stored, delta));
      if (target !== key) {
        const moved = await moveSession(connection, {
          fromKey: key,
          fromText: text,
          stored,
          toKey: target,
          merged,
          now,
        });
        if (moved.status === 'deleted') return rejectedOutcome('deleted', key);
        if (moved.status === 'moved') {
          this.remember(session, target, moved.text);
          return writtenOutcome(target);
        }
      } else {
        const newText = documentText(merged);
        const ttl = { ms: documentTtl(merged, now), pipelined: !delta.maxInactiveIntervalChanged };
        if (await compareAndSet(connection, key, text, newText, ttl)) {
          this.remember(session, key, newText);
          return writtenOutcome(key);
        }
        strayTtl ||= ttl.pipelined;
      }
      await backoff(attempt);
    }
    throw new SessionStoreUnavailableError(
      `Gave up saving session ${shortSessionId(delta.originalId)} after ${maxSaveAttempts} compare-and-set attempts: other writers kept changing it`,
      { retryable: true },
    );
  }

  /**
   * The index values after this save, over the stored attributes merged with the delta (a copy
   * loaded before another request set the principal must not drop it), or `undefined` when the
   * save changes no attribute the resolver reads (the stored index fields stay).
   */
  #indexesAfter(stored: SessionDocument, delta: SessionDelta): IndexValues | undefined {
    const { indexResolver, codec, saveMode } = this.#options;
    if (!indexesMayChange(indexResolver, delta)) return undefined;
    return resolveMergedIndexValues(
      indexResolver,
      {
        creationTime: stored.creationTime,
        names: () => attributeNames(stored),
        read: (name) => codec.deserialize(name, attributeText(stored, name) as string),
      },
      delta,
      saveMode,
    );
  }

  async #parseStored(key: string, text: string): Promise<SessionDocument | null> {
    try {
      return parseDocument(key, text);
    } catch (err) {
      await this.#options.discardCorrupt(key, err);
      return null;
    }
  }
}

/** True when `existing` is the document an earlier attempt to first-save this session wrote. */
function isEarlierAttempt(delta: SessionDelta, existing: unknown): boolean {
  const text = jsonTextOf(existing);
  if (text === null) return false;
  try {
    const doc = parseDocument(delta.id, text);
    return doc.id === delta.id && doc.creationTime === delta.creationTime && !isMoveMarker(doc);
  } catch {
    return false;
  }
}
