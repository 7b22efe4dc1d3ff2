/**
 * Test-only, in-process stand-in for a Hazelcast `IMap<string, HazelcastJsonValue>`, implementing
 * the store's narrow `SessionMap`. It models what the store relies on, the way a member does:
 *
 * - values are kept as JSON text; compare-and-set compares that text (the member compares the
 *   serialized form);
 * - TTLs in ms; like a 5.x member, the entry's expiration instant is kept in whole wall-clock
 *   seconds, rounded down: `floor((now + ttl) / 1000) * 1000` (resolution configurable). A member
 *   was seen to keep a 2,000 ms TTL set 50, 300, 600 and 900 ms into a second for 1,960, 1,705,
 *   1,408 and 1,107 ms. Expiry runs on real unref'd timers; `0` is forever, negative the map
 *   default (forever); updates keep the entry's TTL and restart its countdown; `setTtl` restarts
 *   it with a new TTL; expired entries are also dropped lazily on access; expiry fires `expired`
 *   with the old value;
 * - entry listeners get `added`/`updated`/`removed`/`expired` events with old and new values when
 *   registered with `includeValue`, always asynchronously (after the operation resolved); like a
 *   member, `delete` sends its `removed` event with a `null` old value (only `remove` carries it);
 * - queries interpret hazelcast-client's own predicate objects (`equal`, `and`, `or`, `not`,
 *   `alwaysTrue`/`alwaysFalse`) against the JSON documents, including `field[any]` on arrays;
 *   any other predicate throws instead of guessing;
 * - every operation is asynchronous (applied on a later macrotask, in call order), so concurrent
 *   callers interleave as they would over the network.
 */
import { randomUUID } from 'node:crypto';
import { HazelcastJsonValue, type IndexConfig, type Predicate } from 'hazelcast-client';
import type { SessionMap, SessionMapEntryEvent, SessionMapListener } from '../../src/session-map.js';

/** How values come back from reads and events, like hazelcast-client's `jsonStringDeserializationPolicy`. */
export type FakeReadPolicy = 'NO_DESERIALIZATION' | 'EAGER';

export interface FakeSessionMapOptions {
  /** Default `NO_DESERIALIZATION` (values as `HazelcastJsonValue`); `EAGER` returns parsed objects. */
  readPolicy?: FakeReadPolicy;
  /**
   * Expiration instants are rounded down to a multiple of this, like the member's whole seconds.
   * Default 1000.
   */
  ttlResolutionMs?: number;
}

interface Entry {
  text: string;
  /** TTL in ms as given (0: forever). */
  ttlMs: number;
  expiresAt: number | null;
  timer: NodeJS.Timeout | undefined;
}

interface Registration {
  listener: SessionMapListener<string, HazelcastJsonValue>;
  key: string | undefined;
  includeValue: boolean;
}

type EventName = 'added' | 'updated' | 'removed' | 'expired';

/** hazelcast-client's predicate factory id and class ids (see its DefaultPredicates). */
const PREDICATE_FACTORY_ID = -20;
const AND = 1;
const EQUAL = 3;
const NOT = 10;
const OR = 11;
const FALSE = 13;
const TRUE = 14;

function textOf(value: unknown): string {
  if (value instanceof HazelcastJsonValue) return value.toString();
  if (value === null || value === undefined)
    throw new TypeError('FakeSessionMap: null values are not allowed');
  return JSON.stringify(value);
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Values at `path` in `doc`; `name[any]` fans out over an array. */
function valuesAt(doc: unknown, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const segment of path.split('.')) {
    const any = segment.endsWith('[any]');
    const name = any ? segment.slice(0, -'[any]'.length) : segment;
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      if (!Object.hasOwn(value, name)) continue;
      const child = (value as Record<string, unknown>)[name];
      if (any) {
        if (Array.isArray(child)) next.push(...child);
      } else {
        next.push(child);
      }
    }
    current = next;
  }
  return current;
}

/** Evaluates one of hazelcast-client's predicate objects against a parsed JSON document. */
export function evaluatePredicate(predicate: Predicate, doc: unknown): boolean {
  const p = predicate as unknown as {
    factoryId: number;
    classId: number;
    field?: string;
    value?: unknown;
    predicates?: Predicate[];
    predicate?: Predicate;
  };
  if (p.factoryId !== PREDICATE_FACTORY_ID)
    throw new Error(`FakeSessionMap: unknown predicate factory ${p.factoryId}`);
  switch (p.classId) {
    case EQUAL:
      return valuesAt(doc, p.field as string).some((v) => v === p.value);
    case AND:
      return (p.predicates ?? []).every((inner) => evaluatePredicate(inner, doc));
    case OR:
      return (p.predicates ?? []).some((inner) => evaluatePredicate(inner, doc));
    case NOT:
      return !evaluatePredicate(p.predicate as Predicate, doc);
    case TRUE:
      return true;
    case FALSE:
      return false;
    default:
      throw new Error(`FakeSessionMap cannot evaluate predicate class ${p.classId}`);
  }
}

/** The in-process fake. Extra inspection methods (`rawText`, `indexes`, …) exist for tests only. */
export class FakeSessionMap implements SessionMap<string, HazelcastJsonValue> {
  /** Operations received so far (every call of the `SessionMap` interface). */
  operations = 0;

  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Map<string, Registration>();
  readonly #indexes: IndexConfig[] = [];
  readonly #readPolicy: FakeReadPolicy;
  readonly #resolutionMs: number;
  #failure: Error | undefined;

  constructor(options: FakeSessionMapOptions = {}) {
    this.#readPolicy = options.readPolicy ?? 'NO_DESERIALIZATION';
    this.#resolutionMs = options.ttlResolutionMs ?? 1000;
  }

  // ---- SessionMap ----------------------------------------------------------------------------

  readonly get = async (key: string): Promise<HazelcastJsonValue | null> => {
    const entry = await this.#begin(key);
    return entry === undefined ? null : this.#read(entry.text);
  };

  readonly putIfAbsent = async (
    key: string,
    value: HazelcastJsonValue,
    ttl?: number,
  ): Promise<HazelcastJsonValue | null> => {
    const entry = await this.#begin(key);
    if (entry !== undefined) return this.#read(entry.text);
    const created: Entry = { text: textOf(value), ttlMs: 0, expiresAt: null, timer: undefined };
    this.#entries.set(key, created);
    this.#schedule(key, created, ttl === undefined || ttl < 0 ? 0 : ttl);
    this.#publish('added', key, created.text, null);
    return null;
  };

  readonly replaceIfSame = async (
    key: string,
    oldValue: HazelcastJsonValue,
    newValue: HazelcastJsonValue,
  ): Promise<boolean> => {
    const entry = await this.#begin(key);
    if (entry === undefined || entry.text !== textOf(oldValue)) return false;
    const previous = entry.text;
    entry.text = textOf(newValue);
    // An update keeps the entry's TTL and restarts its countdown.
    this.#schedule(key, entry, entry.ttlMs);
    this.#publish('updated', key, entry.text, previous);
    return true;
  };

  readonly setTtl = async (key: string, ttl: number): Promise<boolean> => {
    const entry = await this.#begin(key);
    if (entry === undefined) return false;
    this.#schedule(key, entry, Math.max(0, ttl));
    return true;
  };

  readonly delete = async (key: string): Promise<void> => {
    const entry = await this.#begin(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    // IMap.delete's documented exception: its `removed` event has a null old value, even with includeValue.
    this.#publish('removed', key, null, null);
  };

  readonly remove = async (key: string): Promise<HazelcastJsonValue | null> => {
    const entry = await this.#begin(key);
    if (entry === undefined) return null;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    this.#publish('removed', key, null, entry.text);
    return this.#read(entry.text);
  };

  readonly entrySetWithPredicate = async (
    predicate: Predicate,
  ): Promise<Array<[string, HazelcastJsonValue]>> => {
    await this.#begin(undefined);
    const out: Array<[string, HazelcastJsonValue]> = [];
    for (const key of [...this.#entries.keys()]) {
      const entry = this.#live(key);
      if (entry === undefined) continue;
      if (evaluatePredicate(predicate, JSON.parse(entry.text))) out.push([key, this.#read(entry.text)]);
    }
    return out;
  };

  readonly addIndex = async (indexConfig: IndexConfig): Promise<void> => {
    await this.#begin(undefined);
    const type = indexConfig.type ?? 'SORTED';
    const attributes = indexConfig.attributes ?? [];
    if (!['SORTED', 'HASH', 'BITMAP'].includes(type)) throw new Error(`Unknown index type ${type}`);
    if (attributes.length === 0) throw new Error('An index needs at least one attribute');
    const name = indexConfig.name ?? `sessions_${attributes.join('_')}`;
    const same = this.#indexes.find((i) => i.name === name);
    if (same !== undefined) {
      // Adding the same index again is a no-op; a different one under the same name is an error.
      if (same.type !== type || same.attributes?.join() !== attributes.join())
        throw new Error(`Index ${name} exists with another definition`);
      return;
    }
    this.#indexes.push({ name, type, attributes: [...attributes] });
  };

  readonly addEntryListener = async (
    listener: SessionMapListener<string, HazelcastJsonValue>,
    key?: string,
    includeValue?: boolean,
  ): Promise<string> => {
    await this.#begin(undefined);
    const id = randomUUID();
    this.#listeners.set(id, { listener, key, includeValue: includeValue ?? false });
    return id;
  };

  readonly removeEntryListener = async (listenerId: string): Promise<boolean> => {
    await this.#begin(undefined);
    return this.#listeners.delete(listenerId);
  };

  // ---- inspection and control (tests only) ---------------------------------------------------------

  /** The stored JSON text of `key`, or `undefined`; no operation is counted and no event fires. */
  rawText(key: string): string | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined || this.#isDue(entry) ? undefined : entry.text;
  }

  /** The parsed stored document of `key`, or `undefined`. */
  rawDocument(key: string): Record<string, unknown> | undefined {
    const text = this.rawText(key);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  }

  /** Epoch ms when `key` expires, `null` for never, `undefined` when absent. */
  expiresAt(key: string): number | null | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : entry.expiresAt;
  }

  /** Writes raw text under `key` without events (to plant bad data in tests). */
  plant(key: string, text: string, ttlMs = 0): void {
    const entry: Entry = { text, ttlMs: 0, expiresAt: null, timer: undefined };
    clearTimeout(this.#entries.get(key)?.timer);
    this.#entries.set(key, entry);
    this.#schedule(key, entry, ttlMs);
  }

  /** Keys currently held. */
  keys(): string[] {
    return [...this.#entries.keys()].filter((k) => this.rawText(k) !== undefined);
  }

  /** The indexes added so far. */
  indexes(): IndexConfig[] {
    return this.#indexes.map((i) => ({ ...i, attributes: [...(i.attributes ?? [])] }));
  }

  /** Number of registered entry listeners. */
  listenerCount(): number {
    return this.#listeners.size;
  }

  /** Makes every following operation reject with `error` (until called with `undefined`). */
  failWith(error: Error | undefined): void {
    this.#failure = error;
  }

  /** Stops every timer and forgets everything. */
  dispose(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
    this.#listeners.clear();
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Counts the operation, lets other callers run (network), then returns the live entry. */
  async #begin(key: string | undefined): Promise<Entry | undefined> {
    this.operations++;
    await tick();
    if (this.#failure !== undefined) throw this.#failure;
    return key === undefined ? undefined : this.#live(key);
  }

  #isDue(entry: Entry): boolean {
    return entry.expiresAt !== null && Date.now() >= entry.expiresAt;
  }

  /** The entry if it has not expired; an expired one is removed now (with its event), like a member does on access. */
  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#isDue(entry)) {
      this.#expire(key, entry);
      return undefined;
    }
    return entry;
  }

  #expire(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    this.#publish('expired', key, null, entry.text);
  }

  #schedule(key: string, entry: Entry, ttlMs: number): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.ttlMs = ttlMs;
    if (ttlMs === 0) {
      entry.expiresAt = null;
      return;
    }
    // The member keeps the expiration instant, not the TTL, and keeps it in whole seconds of its
    // wall clock, rounded down: an entry may live up to a resolution step less than its TTL.
    const now = Date.now();
    entry.expiresAt = Math.floor((now + ttlMs) / this.#resolutionMs) * this.#resolutionMs;
    entry.timer = setTimeout(() => this.#expire(key, entry), Math.max(0, entry.expiresAt - now));
    entry.timer.unref();
  }

  #read(text: string): HazelcastJsonValue {
    // Under EAGER the client hands out parsed objects although the type says HazelcastJsonValue.
    return this.#readPolicy === 'EAGER'
      ? (JSON.parse(text) as HazelcastJsonValue)
      : new HazelcastJsonValue(text);
  }

  #publish(name: EventName, key: string, text: string | null, oldText: string | null): void {
    for (const [id, registration] of this.#listeners) {
      if (registration.key !== undefined && registration.key !== key) continue;
      const handler = registration.listener[name];
      if (handler === undefined) continue;
      const event: SessionMapEntryEvent<string, HazelcastJsonValue> = {
        key,
        value: registration.includeValue && text !== null ? this.#read(text) : null,
        oldValue: registration.includeValue && oldText !== null ? this.#read(oldText) : null,
      };
      // Delivered later, like events that travel back from a member; dropped if unsubscribed meanwhile.
      setImmediate(() => {
        if (this.#listeners.has(id)) handler(event);
      });
    }
  }
}
