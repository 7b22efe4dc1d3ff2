import { isDeepStrictEqual } from 'node:util';
import type { RequestSession } from '../request-session.js';

/** A value that could not be copied (it holds functions, for example): compared as always changed. */
const UNCOPYABLE: unique symbol = Symbol('uncopyable');

interface Watched {
  readonly value: object;
  snapshot: unknown;
}

function copyOf(value: object): unknown {
  try {
    return structuredClone(value);
  } catch {
    return UNCOPYABLE;
  }
}

/**
 * Finds in-place changes to attribute values read or written through a property-style session
 * object: `req.session.passport.user = id`, `req.session.cart.push(item)`. Each object value is
 * copied (`structuredClone`) when it is first seen; {@link collect} compares it with that copy and
 * sets the attribute again only when it differs, so a request that merely reads an object writes
 * nothing and concurrent requests keep each other's changes (delta writes). Primitive values
 * cannot change in place and are not watched.
 */
export class AttributeWatch {
  readonly #session: RequestSession;
  readonly #onFirstWatch: () => void;
  readonly #entries = new Map<string, Watched>();
  /** The store session the entries belong to; a new one (regenerate, reload) drops them. */
  #subject: unknown;

  /**
   * @param session the request's session
   * @param onFirstWatch called when the first object is watched, so the response waits for a save check
   */
  constructor(session: RequestSession, onFirstWatch: () => void) {
    this.#session = session;
    this.#onFirstWatch = onFirstWatch;
  }

  /** Remembers `value`, just read from or written to attribute `name`, if it is an object. */
  watch(name: string, value: unknown): void {
    if (value === null || typeof value !== 'object') {
      this.#entries.delete(name);
      return;
    }
    this.#sync();
    if (this.#entries.get(name)?.value === value) return;
    const first = this.#entries.size === 0;
    this.#entries.set(name, { value, snapshot: copyOf(value) });
    if (first) this.#onFirstWatch();
  }

  /** Stops watching attribute `name` (it was removed). */
  forget(name: string): void {
    this.#entries.delete(name);
  }

  /** Sets again every watched attribute whose value changed in place since it was seen or last collected. */
  collect(): void {
    if (this.#entries.size === 0) return;
    this.#sync();
    for (const [name, entry] of this.#entries) {
      // Replaced or removed meanwhile: that change was recorded when it was made.
      if (this.#session.get(name) !== entry.value) {
        this.#entries.delete(name);
        continue;
      }
      if (entry.snapshot !== UNCOPYABLE && isDeepStrictEqual(entry.snapshot, entry.value)) continue;
      this.#session.set(name, entry.value);
      entry.snapshot = copyOf(entry.value);
    }
  }

  /** Drops the entries of a session this request no longer holds. */
  #sync(): void {
    const subject = this.#session.unwrap();
    if (subject === this.#subject) return;
    this.#subject = subject;
    this.#entries.clear();
  }
}
