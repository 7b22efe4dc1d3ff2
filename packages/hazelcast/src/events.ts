import {
  isValidSessionId,
  type MapSession,
  type SessionEventEmitter,
  type SessionEventKind,
} from '@session/core';
import type { HazelcastJsonValue } from 'hazelcast-client';
import { documentDueAt, isMoveMarker, jsonTextOf, parseDocument, type SessionDocument } from './document.js';
import type { SessionMapEntryEvent, SessionMapListener } from './session-map.js';

/** What {@link EntryEventBridge} needs from the repository. */
export interface EntryEventBridgeOptions {
  /** Where session events go (the repository's event hub). */
  readonly events: SessionEventEmitter<MapSession>;
  /** Rebuilds the session a document holds; may throw for unreadable data (the event then has no session). */
  readonly rebuild: (key: string, doc: SessionDocument) => MapSession;
  readonly clock: () => number;
}

/**
 * Turns the map's entry events into session events: `added` → `created`, `removed` → `deleted`,
 * `expired` and `evicted` → `expired`. One listener (with values) per repository, so every
 * repository on the map reports each event once. What is not a session event is dropped:
 *
 * - the two halves of a `changeSessionId` (the copy added under the new id carries `movedFrom`;
 *   the marker left under the old id carries `movedTo`, and its expiry or removal at the end of
 *   the id-change trail is no session ending);
 * - an `expired` that arrives before the session's due time (an entry evicted early by the
 *   member's size policy, or a member clock running ahead) is held back until that due time:
 *   listeners never hear of an expiry before the session was due.
 */
export class EntryEventBridge {
  readonly #options: EntryEventBridgeOptions;
  /** Early expiries waiting for their due time. */
  readonly #held = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(options: EntryEventBridgeOptions) {
    this.#options = options;
  }

  /** The entry listener to register (with values) on the map. */
  listener(): SessionMapListener<string, HazelcastJsonValue> {
    // Values are typed as HazelcastJsonValue but arrive parsed under the EAGER policy: read them as unknown.
    const on =
      (kind: SessionEventKind, pick: (e: SessionMapEntryEvent<string, unknown>) => unknown) =>
      (e: SessionMapEntryEvent<string, HazelcastJsonValue>) =>
        this.#onEntryEvent(kind, e.key, pick(e));
    return {
      added: on('created', (e) => e.value),
      removed: on('deleted', (e) => e.oldValue),
      expired: on('expired', (e) => e.oldValue ?? e.value),
      evicted: on('expired', (e) => e.oldValue ?? e.value),
    };
  }

  /** Stops delivering, including expiries held back for their due time. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#held) clearTimeout(timer);
    this.#held.clear();
  }

  #onEntryEvent(kind: SessionEventKind, key: string, value: unknown): void {
    if (this.#closed || !isValidSessionId(key)) return;
    const doc = readDocument(key, value);
    // The two halves of a changeSessionId are a move, not a creation and a deletion.
    if (kind === 'created' && doc?.movedFrom !== undefined) return;
    if (kind !== 'created' && doc !== null && isMoveMarker(doc)) return;
    const { events } = this.#options;
    if (!events.hasListeners(kind)) return;
    let session: MapSession | null = null;
    if (doc !== null) {
      try {
        session = this.#options.rebuild(key, doc);
      } catch {
        session = null;
      }
    }
    const due = kind === 'expired' && doc !== null ? documentDueAt(doc) : null;
    const wait = due === null ? 0 : due - this.#options.clock();
    if (wait <= 0) {
      events.emit({ type: kind, sessionId: key, session });
      return;
    }
    const timer = setTimeout(() => {
      this.#held.delete(timer);
      if (!this.#closed) events.emit({ type: kind, sessionId: key, session });
    }, wait);
    timer.unref();
    this.#held.add(timer);
  }
}

/** The document an event carries, or `null` when it carries none or an unreadable one. */
function readDocument(key: string, value: unknown): SessionDocument | null {
  const text = jsonTextOf(value);
  if (text === null) return null;
  try {
    return parseDocument(key, text);
  } catch {
    return null;
  }
}
