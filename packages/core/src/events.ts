import { InvalidArgumentError } from './errors.js';
import type { SessionLogger } from './logger.js';
import { consoleLogger } from './logger.js';
import type { Session } from './session.js';

/** Kinds of session events a store emits. */
export type SessionEventKind = 'created' | 'deleted' | 'expired';

/** Kinds a listener can subscribe to: `destroyed` receives both `deleted` and `expired`. */
export type SessionEventType = SessionEventKind | 'destroyed';

/** Every type {@link SessionEventSource.on} accepts. */
export const SESSION_EVENT_TYPES: readonly SessionEventType[] = [
  'created',
  'deleted',
  'expired',
  'destroyed',
];
/** One session event. */
export interface SessionEvent<S extends Session = Session> {
  readonly type: SessionEventKind;
  readonly sessionId: string;
  /** The session as the store last had it, or `null` where the store no longer has it. */
  readonly session: S | null;
}

/** Receives events. Exceptions thrown here are logged and never reach the store. */
export type SessionEventListener<S extends Session = Session> = (
  event: SessionEvent<S>,
) => void | Promise<void>;

/** The typed listener API of stores that support events (`capabilities.events`). */
export interface SessionEventSource<S extends Session = Session> {
  /** Subscribes; returns a function that unsubscribes. */
  on(type: SessionEventType, listener: SessionEventListener<S>): () => void;
  /** Removes a listener added with {@link on}. */
  off(type: SessionEventType, listener: SessionEventListener<S>): void;
}

/** A ready-made event hub for store implementations. */
export class SessionEventEmitter<S extends Session = Session> implements SessionEventSource<S> {
  readonly #listeners = new Map<SessionEventType, Set<SessionEventListener<S>>>();
  readonly #logger: SessionLogger;

  constructor(logger: SessionLogger = consoleLogger) {
    this.#logger = logger;
  }

  on(type: SessionEventType, listener: SessionEventListener<S>): () => void {
    // A misspelt type would otherwise subscribe to nothing, silently.
    if (!SESSION_EVENT_TYPES.includes(type)) {
      throw new InvalidArgumentError(
        `Unknown session event type "${String(type)}"; use ${SESSION_EVENT_TYPES.join(', ')}`,
      );
    }
    if (typeof listener !== 'function')
      throw new InvalidArgumentError('Session event listeners must be functions');
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => this.off(type, listener);
  }

  off(type: SessionEventType, listener: SessionEventListener<S>): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Number of listeners for `type` (stores skip work nobody listens for). */
  listenerCount(type: SessionEventType): number {
    return this.#listeners.get(type)?.size ?? 0;
  }

  /** True when anyone listens to `type` or, for `deleted`/`expired`, to `destroyed`. */
  hasListeners(type: SessionEventKind): boolean {
    return this.listenerCount(type) > 0 || (type !== 'created' && this.listenerCount('destroyed') > 0);
  }

  /** Delivers `event` to its listeners and, for `deleted`/`expired`, to `destroyed` listeners. */
  emit(event: SessionEvent<S>): void {
    this.#deliver(event.type, event);
    if (event.type !== 'created') this.#deliver('destroyed', event);
  }

  #deliver(type: SessionEventType, event: SessionEvent<S>): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        const result = listener(event);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err) =>
            this.#logger.error(`session ${type} listener failed`, err),
          );
        }
      } catch (err) {
        this.#logger.error(`session ${type} listener failed`, err);
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
