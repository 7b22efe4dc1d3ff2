import { InvalidArgumentError, type SessionLogger } from '@session/core';
import type { RequestSession } from '../request-session.js';
import type { AttributeWatch } from './attribute-watch.js';
import type { CompatSessionTracker } from './tracker.js';

/**
 * The state behind one property-style session object: the live request session, or, once the
 * object was retired (the session was regenerated or destroyed), a copy of the attributes it had.
 */
export class AttributeProxyState {
  readonly session: RequestSession;
  readonly tracker: CompatSessionTracker;
  readonly logger: SessionLogger;
  #retired: Map<string, unknown> | undefined;

  constructor(session: RequestSession, tracker: CompatSessionTracker, logger: SessionLogger) {
    this.session = session;
    this.tracker = tracker;
    this.logger = logger;
  }

  /** The watch over object values (the tracker's). */
  get watch(): AttributeWatch {
    return this.tracker.watch;
  }

  /** True once {@link retire} ran. */
  get retired(): boolean {
    return this.#retired !== undefined;
  }

  /** The attributes as they are now, as a map (what {@link retire} keeps). */
  copyAttributes(): Map<string, unknown> {
    const copy = new Map<string, unknown>();
    for (const name of this.session.names()) copy.set(name, this.session.get(name));
    return copy;
  }

  /**
   * From now on the object shows `attributes` (taken before the session was replaced) and ignores
   * writes: code that kept a reference to the old session object (Passport's `keepSessionInfo`)
   * still reads what it held, and cannot change the new one through it.
   */
  retire(attributes: Map<string, unknown>): void {
    this.#retired = attributes;
  }

  /** @internal */
  get retiredAttributes(): Map<string, unknown> | undefined {
    return this.#retired;
  }
}

/** What a property-style session object offers besides its attributes. */
export interface AttributeProxySurface {
  /**
   * The object's own members (methods, getters), found before attributes of the same name. An
   * object whose prototype chain includes `Object.prototype`, so `hasOwnProperty` and friends work.
   */
  readonly members: object;
  /** Members listed with the attributes by `Object.keys`, `for…in` and `JSON.stringify` (express-session's `cookie`). */
  readonly listed?: readonly string[];
  /**
   * Assignment to a member; return `true` when handled. Otherwise the member's own setter runs,
   * and a member without one refuses the assignment (a `TypeError` in strict mode code).
   */
  writeMember?(name: string, value: unknown): boolean;
}

function isMember(surface: AttributeProxySurface, name: string | symbol): boolean {
  return name in surface.members;
}

/** An assignment to a member: `writeMember` first, then the member's own setter, else refused. */
function writeMember(surface: AttributeProxySurface, name: string, value: unknown): boolean {
  if (surface.writeMember?.(name, value) === true) return true;
  for (let owner: object | null = surface.members; owner !== null; owner = Object.getPrototypeOf(owner)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    if (descriptor === undefined) continue;
    if (descriptor.set === undefined) return false;
    descriptor.set.call(surface.members, value);
    return true;
  }
  return false;
}

function readAttribute(state: AttributeProxyState, name: string): unknown {
  const retired = state.retiredAttributes;
  if (retired !== undefined) return retired.get(name);
  const value = state.session.get(name);
  state.watch.watch(name, value);
  return value;
}

function attributeNames(state: AttributeProxyState): string[] {
  const retired = state.retiredAttributes;
  return retired !== undefined ? [...retired.keys()] : state.session.names();
}

function ignoredWrite(state: AttributeProxyState, name: string): true {
  state.logger.debug(`ignoring a change to "${name}" on a session object that was regenerated or destroyed`);
  return true;
}

function writeAttribute(state: AttributeProxyState, name: string, value: unknown): boolean {
  if (state.retired) return ignoredWrite(state, name);
  if (value === undefined) {
    // As with express-session and koa-session, whose JSON drops undefined members.
    state.session.delete(name);
    state.watch.forget(name);
    return true;
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new InvalidArgumentError(
      `Session attribute "${name}": a ${typeof value} cannot be stored in a session`,
    );
  }
  state.session.set(name, value);
  state.watch.watch(name, value);
  return true;
}

/**
 * A session object whose properties are the session's attributes: `session.user = 'alice'` sets
 * attribute `user` (a change saved as a delta, like `RequestSession.set`), `delete session.user`
 * removes it, `Object.keys(session)` lists the attributes. Objects read or written through it are
 * watched for in-place changes ({@link AttributeWatch}). Members of `surface` (methods such as
 * `save`) win over attributes of the same name.
 */
export function createAttributeProxy<T extends object>(
  state: AttributeProxyState,
  surface: AttributeProxySurface,
): T {
  const listed = surface.listed ?? [];
  const handler: ProxyHandler<object> = {
    get(_target, name) {
      if (typeof name === 'symbol' || isMember(surface, name)) return Reflect.get(surface.members, name);
      return readAttribute(state, name);
    },
    set(_target, name, value) {
      if (typeof name === 'symbol') return false;
      if (isMember(surface, name)) return writeMember(surface, name, value);
      return writeAttribute(state, name, value);
    },
    deleteProperty(_target, name) {
      if (typeof name === 'symbol' || isMember(surface, name)) return false;
      return writeAttribute(state, name, undefined);
    },
    has(_target, name) {
      if (typeof name === 'symbol' || isMember(surface, name)) return isMember(surface, name);
      return attributeNames(state).includes(name);
    },
    ownKeys() {
      const names = attributeNames(state).filter((name) => !isMember(surface, name));
      return [...listed, ...names];
    },
    getOwnPropertyDescriptor(_target, name) {
      if (typeof name === 'symbol') return undefined;
      if (listed.includes(name)) {
        return {
          value: Reflect.get(surface.members, name),
          writable: true,
          enumerable: true,
          configurable: true,
        };
      }
      if (isMember(surface, name) || !attributeNames(state).includes(name)) return undefined;
      return { value: readAttribute(state, name), writable: true, enumerable: true, configurable: true };
    },
    defineProperty(_target, name, descriptor) {
      if (typeof name === 'symbol' || !('value' in descriptor)) return false;
      if (isMember(surface, name)) return writeMember(surface, name, descriptor.value);
      return writeAttribute(state, name, descriptor.value);
    },
  };
  return new Proxy({}, handler) as T;
}
