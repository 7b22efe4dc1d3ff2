import { InvalidArgumentError } from './errors.js';
import {
  defaultSessionIdGenerator,
  generateSessionId,
  type SessionIdGenerator,
  shortSessionId,
} from './ids.js';
import type { SaveMode } from './modes.js';

/** Default idle timeout: 30 minutes, like Spring Session and most servlet containers. */
export const DEFAULT_MAX_INACTIVE_INTERVAL_MS = 30 * 60 * 1000;

/** Attribute map shape used when a session is not given a type. */
export type AnyAttributes = Record<string, unknown>;

/** Attribute names of `A` as strings. */
export type AttributeName<A> = Extract<keyof A, string>;

/**
 * A user session. Attributes are typed through `A`:
 *
 * ```ts
 * interface Attrs { userId: string; cart: string[] }
 * const s: Session<Attrs> = await repo.createSession();
 * s.set('cart', ['sku-1']); // checked against Attrs
 * ```
 */
export interface Session<A extends object = AnyAttributes> {
  /** Current id. Changes after {@link Session.changeSessionId}. */
  readonly id: string;
  /** Epoch milliseconds when the session was created. */
  readonly creationTime: number;
  /** Epoch milliseconds of the last access; stores refresh it when they load the session. */
  lastAccessedTime: number;
  /** Idle timeout in milliseconds. A negative value means the session never expires. */
  maxInactiveIntervalMs: number;
  /** True once `now - lastAccessedTime >= maxInactiveIntervalMs` (never for a negative interval). */
  isExpired(now?: number): boolean;
  /** Reads an attribute; `undefined` when absent. */
  get<K extends AttributeName<A>>(name: K): A[K] | undefined;
  /** Sets an attribute. Setting `undefined` removes it. */
  set<K extends AttributeName<A>>(name: K, value: A[K] | undefined): void;
  /** Removes an attribute. */
  delete(name: AttributeName<A>): void;
  /** Names of the attributes currently set. */
  names(): string[];
  /** Gives the session a new id (session fixation protection), keeping its attributes. Returns the new id. */
  changeSessionId(): string;
}

/** What changed on a session since it was loaded or last saved. Stores write exactly this. */
export interface SessionDelta {
  /** The session has never been saved. */
  readonly isNew: boolean;
  /** The id under which the session is stored now (before any `changeSessionId`). */
  readonly originalId: string;
  /** The current id. */
  readonly id: string;
  readonly idChanged: boolean;
  readonly creationTime: number;
  readonly lastAccessedTime: number;
  readonly maxInactiveIntervalMs: number;
  readonly lastAccessedTimeChanged: boolean;
  readonly maxInactiveIntervalChanged: boolean;
  /** Attributes to write, with their current values. */
  readonly setAttributes: ReadonlyMap<string, unknown>;
  /** Attributes to remove. */
  readonly removedAttributes: ReadonlySet<string>;
  /** True when a save has anything to write. */
  readonly hasChanges: boolean;
}

/** Everything needed to rebuild a session, as stores keep it. */
export interface SessionSnapshot {
  id: string;
  creationTime: number;
  lastAccessedTime: number;
  maxInactiveIntervalMs: number;
  attributes: Map<string, unknown>;
}

/** How to build a {@link MapSession}. */
export interface MapSessionInit {
  /** Existing id (for sessions loaded from a store). Generated when absent. */
  id?: string;
  creationTime?: number;
  lastAccessedTime?: number;
  maxInactiveIntervalMs?: number;
  attributes?: Iterable<readonly [string, unknown]> | Record<string, unknown>;
  /** False for sessions loaded from a store. Default true. */
  isNew?: boolean;
  saveMode?: SaveMode;
  idGenerator?: SessionIdGenerator;
  /** Clock reading used for new sessions' timestamps. Default `Date.now()`. */
  now?: number;
}

/**
 * Longest idle timeout a session may have: 2³¹−1 seconds (about 68 years), the most Spring
 * Session's `int` seconds field holds, so a Java service sharing the store reads it back intact.
 * Longer ones are refused; use a negative interval for "never expires".
 */
export const MAX_INACTIVE_INTERVAL_MS = 2_147_483_647_000;

/** Latest (and, negated, earliest) epoch ms a session timestamp may hold: the range of a JS `Date`. */
export const MAX_SESSION_TIME_MS = 8_640_000_000_000_000;

function checkTime(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_SESSION_TIME_MS) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of epoch milliseconds within a Date's range, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Validates an idle timeout in ms: finite, and at most {@link MAX_INACTIVE_INTERVAL_MS}; any
 * negative value means "never expires". Throws {@link InvalidArgumentError} naming the limit.
 */
export function checkMaxInactiveInterval(value: number, name = 'maxInactiveIntervalMs'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a finite number of milliseconds, got ${String(value)}`);
  }
  if (value > MAX_INACTIVE_INTERVAL_MS) {
    throw new InvalidArgumentError(
      `${name} must be at most ${MAX_INACTIVE_INTERVAL_MS} ms (2^31-1 seconds); use a negative value for "never expires", got ${value}`,
    );
  }
  return value;
}

/**
 * The standard {@link Session}: attributes in a `Map`, with change tracking so stores can write
 * only what changed (delta saves), and Spring Session's save modes.
 */
/** What change tracking records of one attribute. */
const SET = 1;
const REMOVED = 2;
const READ = 4;
interface Tracked {
  /** SET, REMOVED and READ bits. */
  flags: number;
  /** Change counter value of the attribute's last change (0: never changed). */
  seq: number;
}

/**
 * A delta as `getDelta` makes it: the public fields plus the change counter it was taken at, in a
 * private field (a WeakMap keyed by delta would cost every save an ephemeron entry for the GC).
 */
class TakenDelta implements SessionDelta {
  readonly #seq: number;
  constructor(
    readonly isNew: boolean,
    readonly originalId: string,
    readonly id: string,
    readonly idChanged: boolean,
    readonly creationTime: number,
    readonly lastAccessedTime: number,
    readonly maxInactiveIntervalMs: number,
    readonly lastAccessedTimeChanged: boolean,
    readonly maxInactiveIntervalChanged: boolean,
    readonly setAttributes: ReadonlyMap<string, unknown>,
    readonly removedAttributes: ReadonlySet<string>,
    readonly hasChanges: boolean,
    seq: number,
  ) {
    this.#seq = seq;
  }

  /** The change counter `delta` was taken at; undefined for a delta built elsewhere. */
  static seqOf(delta: SessionDelta): number | undefined {
    return #seq in delta ? (delta as TakenDelta).#seq : undefined;
  }
}

/**
 * An attribute value a store decodes only when something reads it: most requests touch few of a
 * session's attributes. Create one with {@link deferredAttribute}.
 */
class DeferredAttribute {
  readonly #decode: (source: unknown) => unknown;
  readonly #source: unknown;

  constructor(decode: (source: unknown) => unknown, source: unknown) {
    this.#decode = decode;
    this.#source = source;
  }

  load(): unknown {
    return this.#decode(this.#source);
  }
}

/**
 * Wraps an attribute loader for {@link MapSessionInit.attributes}: the session calls `load` the
 * first time the value is read (`get`, `peek`, `entries`, `snapshot`, a save) and keeps what it
 * returns. What `load` throws (say a `SessionSerializationError`) reaches that reader.
 *
 * With `source`, `load(source)` is called instead: a store decoding many values passes one
 * shared function and each stored value, instead of making a closure per value on every read.
 */
export function deferredAttribute(load: () => unknown): unknown;
export function deferredAttribute<T>(load: (source: T) => unknown, source: T): unknown;
export function deferredAttribute(load: (source: unknown) => unknown, source?: unknown): unknown {
  return new DeferredAttribute(load, source);
}

/**
 * The standard {@link Session}: attributes in a `Map`, with change tracking so stores can write
 * only what changed (delta saves), and Spring Session's save modes.
 */
export class MapSession<A extends object = AnyAttributes> implements Session<A> {
  #id: string;
  #originalId: string;
  #isNew: boolean;
  readonly #creationTime: number;
  #lastAccessedTime: number;
  #maxInactiveIntervalMs: number;
  readonly #attributes: Map<string, unknown>;
  readonly #saveMode: SaveMode;
  readonly #idGenerator: SessionIdGenerator;

  // Per-attribute tracking, made on the first change (most loaded sessions never change). The
  // change counter lets markSaved(delta) clear only names untouched since the delta was taken:
  // comparing values instead would drop a change that re-sets the same (mutated) object.
  #tracked: Map<string, Tracked> | undefined;
  #changeSeq = 0;
  /** Counter value of the newest delta marked saved: an older one finishing later is stale. */
  #savedSeq = -1;
  #lastAccessedChanged = false;
  #maxInactiveChanged = false;
  #deferred = false;

  #changeListener: (() => void) | undefined;

  constructor(init: MapSessionInit = {}) {
    this.#idGenerator = init.idGenerator ?? defaultSessionIdGenerator;
    this.#id = init.id ?? generateSessionId(this.#idGenerator);
    this.#originalId = this.#id;
    this.#isNew = init.isNew ?? true;
    this.#creationTime = checkTime('creationTime', init.creationTime ?? init.now ?? Date.now());
    this.#lastAccessedTime = checkTime('lastAccessedTime', init.lastAccessedTime ?? this.#creationTime);
    this.#maxInactiveIntervalMs = checkMaxInactiveInterval(
      init.maxInactiveIntervalMs ?? DEFAULT_MAX_INACTIVE_INTERVAL_MS,
    );
    this.#saveMode = init.saveMode ?? 'onSetAttribute';
    const attrs = init.attributes;
    this.#attributes = new Map();
    if (Array.isArray(attrs)) {
      // Stores hand an array of pairs on every read: index it instead of iterating.
      for (let i = 0; i < attrs.length; i++) this.#adoptAttribute(attrs[i] as readonly [string, unknown]);
    } else if (attrs instanceof Map) {
      // No entry arrays: a Map is walked with forEach.
      (attrs as Map<string, unknown>).forEach((value, name) => {
        this.#adoptValue(name, value);
      });
    } else if (attrs !== undefined) {
      const pairs =
        Symbol.iterator in attrs ? (attrs as Iterable<readonly [string, unknown]>) : Object.entries(attrs);
      for (const pair of pairs) this.#adoptAttribute(pair);
    }
    if (this.#isNew && this.#attributes.size > 0) {
      // Everything on a new session is unsaved.
      const tracked = this.#tracking();
      for (const name of this.#attributes.keys()) tracked.set(name, { flags: SET, seq: 0 });
    }
  }

  #adoptAttribute(pair: readonly [string, unknown]): void {
    this.#adoptValue(pair[0], pair[1]);
  }

  #adoptValue(name: string, value: unknown): void {
    if (value === undefined) return;
    if (value instanceof DeferredAttribute) this.#deferred = true;
    this.#attributes.set(name, value);
  }

  get id(): string {
    return this.#id;
  }

  /** The id the session is stored under (differs from {@link id} after `changeSessionId` until saved). */
  get originalId(): string {
    return this.#originalId;
  }

  /** True until the session has been saved once. */
  get isNew(): boolean {
    return this.#isNew;
  }

  get creationTime(): number {
    return this.#creationTime;
  }

  get lastAccessedTime(): number {
    return this.#lastAccessedTime;
  }

  set lastAccessedTime(value: number) {
    checkTime('lastAccessedTime', value);
    if (value === this.#lastAccessedTime) return;
    this.#lastAccessedTime = value;
    this.#lastAccessedChanged = true;
    this.#changed();
  }

  get maxInactiveIntervalMs(): number {
    return this.#maxInactiveIntervalMs;
  }

  set maxInactiveIntervalMs(value: number) {
    checkMaxInactiveInterval(value);
    if (value === this.#maxInactiveIntervalMs) return;
    this.#maxInactiveIntervalMs = value;
    this.#maxInactiveChanged = true;
    this.#changed();
  }

  /** The save mode this session tracks changes with. */
  get saveMode(): SaveMode {
    return this.#saveMode;
  }

  /** Epoch ms when the session expires if not accessed again, or `null` if it never expires. */
  expiresAt(): number | null {
    return this.#maxInactiveIntervalMs < 0 ? null : this.#lastAccessedTime + this.#maxInactiveIntervalMs;
  }

  isExpired(now: number = Date.now()): boolean {
    if (this.#maxInactiveIntervalMs < 0) return false;
    return now - this.#lastAccessedTime >= this.#maxInactiveIntervalMs;
  }

  get<K extends AttributeName<A>>(name: K): A[K] | undefined {
    const value = this.#value(name);
    if (this.#saveMode === 'onGetAttribute' && value !== undefined) {
      // Reads are saved too, so in-place changes to a read object are not lost.
      this.#mark(name, READ, 0);
    }
    return value as A[K] | undefined;
  }

  /** Reads an attribute without marking it as read (for stores and serializers). */
  peek(name: string): unknown {
    return this.#value(name);
  }

  /** True when the attribute is set. Does not load or mark it. */
  has(name: string): boolean {
    return this.#attributes.has(name);
  }

  set<K extends AttributeName<A>>(name: K, value: A[K] | undefined): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError('Attribute names must be non-empty strings');
    }
    if (value === undefined) {
      this.delete(name);
      return;
    }
    this.#attributes.set(name, value);
    this.#mark(name, SET, REMOVED);
    this.#changed();
  }

  delete(name: AttributeName<A>): void {
    const had = this.#attributes.delete(name);
    // A stored session may hold the attribute even if this copy does not, so a saved session
    // records the removal either way.
    this.#mark(name, had || !this.#isNew ? REMOVED : 0, SET | READ);
    if (had || !this.#isNew) this.#changed();
  }

  names(): string[] {
    return [...this.#attributes.keys()];
  }

  /** All attributes as `[name, value]` pairs, without read tracking. */
  entries(): IterableIterator<[string, unknown]> {
    this.#loadAll();
    return this.#attributes.entries();
  }

  changeSessionId(): string {
    this.#id = generateSessionId(this.#idGenerator, this.#id);
    this.#changed();
    return this.#id;
  }

  /** The changes a save must write, according to the save mode. */
  getDelta(): SessionDelta {
    const setAttributes = new Map<string, unknown>();
    const removedAttributes = new Set<string>();
    if (this.#saveMode === 'always' || this.#isNew) {
      this.#loadAll();
      for (const [name, value] of this.#attributes) setAttributes.set(name, value);
    }
    const wanted = this.#saveMode === 'onGetAttribute' ? SET | READ : SET;
    if (this.#tracked !== undefined) {
      for (const [name, tracked] of this.#tracked) {
        if (tracked.flags & REMOVED) removedAttributes.add(name);
        else if (tracked.flags & wanted && this.#attributes.has(name) && !setAttributes.has(name)) {
          setAttributes.set(name, this.#value(name));
        }
      }
    }
    const idChanged = this.#id !== this.#originalId;
    return new TakenDelta(
      this.#isNew,
      this.#originalId,
      this.#id,
      idChanged,
      this.#creationTime,
      this.#lastAccessedTime,
      this.#maxInactiveIntervalMs,
      this.#lastAccessedChanged,
      this.#maxInactiveChanged,
      setAttributes,
      removedAttributes,
      this.#isNew ||
        idChanged ||
        this.#lastAccessedChanged ||
        this.#maxInactiveChanged ||
        setAttributes.size > 0 ||
        removedAttributes.size > 0,
      this.#changeSeq,
    );
  }

  /** True when a save would write something. Cheaper than `getDelta().hasChanges`. */
  hasChanges(): boolean {
    if (
      this.#isNew ||
      this.#id !== this.#originalId ||
      this.#lastAccessedChanged ||
      this.#maxInactiveChanged
    ) {
      return true;
    }
    if (this.#saveMode === 'always' && this.#attributes.size > 0) return true;
    if (this.#tracked === undefined) return false;
    const wanted = this.#saveMode === 'onGetAttribute' ? SET | READ : SET;
    for (const [name, tracked] of this.#tracked) {
      if (tracked.flags & REMOVED) return true;
      if (tracked.flags & wanted && this.#attributes.has(name)) return true;
    }
    return false;
  }

  /**
   * Called by stores after a successful write: the current state becomes the stored state.
   * Pass the delta that was written so changes made while the write was in flight stay tracked.
   */
  markSaved(written?: SessionDelta): void {
    if (written === undefined) {
      this.#savedSeq = this.#changeSeq;
      this.#tracked = undefined;
      this.#lastAccessedChanged = false;
      this.#maxInactiveChanged = false;
      this.#originalId = this.#id;
      this.#isNew = false;
      return;
    }
    const seq = TakenDelta.seqOf(written);
    if (seq !== undefined) {
      // Two overlapping saves can finish out of order. The newer one already recorded everything
      // the older one wrote; applying the older one now would move `originalId` back to an id the
      // store has left, so the next save would find nothing to update.
      if (seq < this.#savedSeq) return;
      this.#savedSeq = seq;
    }
    const tracked = this.#tracked;
    if (tracked !== undefined) {
      // Without the counter (a delta this session did not make), fall back to comparing values.
      const unchangedSince = (name: string, stillTrue: boolean): boolean =>
        seq === undefined ? stillTrue : (tracked.get(name)?.seq ?? 0) <= seq;
      for (const [name, value] of written.setAttributes) {
        const entry = tracked.get(name);
        if (entry !== undefined && unchangedSince(name, this.#attributes.get(name) === value)) {
          entry.flags &= ~(SET | READ);
        }
      }
      for (const name of written.removedAttributes) {
        const entry = tracked.get(name);
        if (entry !== undefined && unchangedSince(name, !this.#attributes.has(name))) entry.flags &= ~REMOVED;
      }
      for (const [name, entry] of tracked)
        if (entry.flags === 0 && entry.seq <= (seq ?? entry.seq)) tracked.delete(name);
    }
    if (this.#lastAccessedTime === written.lastAccessedTime) this.#lastAccessedChanged = false;
    if (this.#maxInactiveIntervalMs === written.maxInactiveIntervalMs) this.#maxInactiveChanged = false;
    this.#originalId = written.id;
    this.#isNew = false;
  }

  /** A plain copy of the session's state. Attribute values are shared, not cloned. */
  snapshot(): SessionSnapshot {
    this.#loadAll();
    return {
      id: this.#id,
      creationTime: this.#creationTime,
      lastAccessedTime: this.#lastAccessedTime,
      maxInactiveIntervalMs: this.#maxInactiveIntervalMs,
      attributes: new Map(this.#attributes),
    };
  }

  /**
   * Registers the function called after every change (used by stores for `flushMode: 'immediate'`).
   * Pass `undefined` to remove it.
   */
  setChangeListener(listener: (() => void) | undefined): void {
    this.#changeListener = listener;
  }

  /** The value of `name`, loading a deferred one. */
  #value(name: string): unknown {
    const value = this.#attributes.get(name);
    if (!(value instanceof DeferredAttribute)) return value;
    const loaded = value.load();
    this.#attributes.set(name, loaded);
    return loaded;
  }

  #loadAll(): void {
    if (!this.#deferred) return;
    for (const [name, value] of this.#attributes) {
      if (value instanceof DeferredAttribute) this.#attributes.set(name, value.load());
    }
    this.#deferred = false;
  }

  #tracking(): Map<string, Tracked> {
    this.#tracked ??= new Map();
    return this.#tracked;
  }

  /** Sets `add` and clears `clear` flags of `name`, recording the change. */
  #mark(name: string, add: number, clear: number): void {
    const tracked = this.#tracking();
    const seq = ++this.#changeSeq;
    const entry = tracked.get(name);
    if (entry === undefined) tracked.set(name, { flags: add, seq });
    else {
      entry.flags = (entry.flags & ~clear) | add;
      entry.seq = seq;
    }
  }

  #changed(): void {
    // Every change moves the counter (not only attribute changes), so deltas taken before and
    // after an id or time change are ordered.
    this.#changeSeq++;
    this.#changeListener?.();
  }

  /** Readable summary for logs; never includes attribute values. */
  toString(): string {
    return `MapSession(${shortSessionId(this.#id)}, ${this.#attributes.size} attributes)`;
  }
}

/** Narrows a {@link Session} to the tracking {@link MapSession}. */
export function isMapSession(session: unknown): session is MapSession {
  return session instanceof MapSession;
}
