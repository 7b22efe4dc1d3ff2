import { inspect } from 'node:util';
import { InvalidArgumentError, type Session, SessionInvalidatedError } from '@session/core';
import {
  AttributeProxyState,
  CompatSessionTracker,
  CookieSessionIdResolver,
  cookieLifetimeMs,
  createAttributeProxy,
  type HttpSessionManager,
  type NodeCallback,
  type RequestSession,
  type RequestSessionController,
  setCookieLifetimeMs,
  settleWithCallback,
} from '@session/http';
import type { SessionAttributes } from '@session/koa';
import type { Context } from 'koa';

/** The methods and fields of the koa-session compatible session object (its attributes aside). */
export interface KoaCompatSessionMembers {
  /** True while the session is not in the store. */
  readonly isNew: boolean;
  /** The number of attributes. */
  readonly length: number;
  /** True when the session holds an attribute. */
  readonly populated: boolean;
  /**
   * The cookie lifetime in ms, or `'session'` for a browser-session cookie. Setting it gives this
   * session its own cookie lifetime (kept with the session) and an idle timeout at least as long,
   * as koa-session's `maxAge` (also its store TTL) did.
   */
  maxAge: number | 'session';
  /** The session id (koa-session's external store key). */
  readonly externalKey: string;
  /**
   * Saves now, even a session holding nothing. Resolves (or calls back) once saved; rejects (or
   * calls back with the error) when the save did not happen.
   */
  save(): Promise<void>;
  save(callback: NodeCallback): void;
  /** A new, empty session under a new id; the old one is deleted from the store. */
  regenerate(): Promise<void>;
  regenerate(callback: NodeCallback): void;
  /**
   * Saves what changed (and carries out `ctx.session = null`), for `autoCommit: false`; the new
   * id goes out with the response. Rejects when the save did not happen.
   */
  manuallyCommit(): Promise<void>;
  /** The attributes as a plain object. */
  toJSON(): Record<string, unknown>;
  /** The framework-neutral session underneath (`setPrincipal`, `invalidate`, `rememberMe`, typed `get`/`set`). */
  readonly requestSession: RequestSession<SessionAttributes>;
}

/**
 * `ctx.session` under `@session/koa/compat`: koa-session's session object. Attributes are its
 * properties (`ctx.session.views = 1`), saved as deltas like `RequestSession.set`;
 * `ctx.session = null` removes the session when it is committed.
 */
export type KoaCompatSession = KoaCompatSessionMembers & Partial<SessionAttributes>;

const claimed = new WeakSet<object>();

/** True when the koa-session compatible middleware owns this context. */
export function hasKoaCompatSession(ctx: object): boolean {
  return claimed.has(ctx);
}

/** Defines `ctx.session` as a koa-session compatible object (`null` once set to `null`). */
export function installKoaSession<S extends Session>(
  ctx: Context,
  controller: RequestSessionController<object, S>,
  manager: HttpSessionManager<object, S>,
): void {
  claimed.add(ctx);
  const tracker = new CompatSessionTracker(controller as unknown as RequestSessionController);
  const session = controller.session as unknown as RequestSession<SessionAttributes>;
  const loose = controller.session as unknown as RequestSession;
  const { logger, resolver } = manager;
  const defaultMaxAgeSeconds =
    resolver instanceof CookieSessionIdResolver ? resolver.maxAgeSeconds : undefined;
  let removed = false;

  /** koa-session's methods: a promise without a callback, the callback (and nothing) with one. */
  const respond = (work: Promise<void>, callback: NodeCallback | undefined): Promise<void> | undefined => {
    if (callback === undefined) return work;
    settleWithCallback(work, callback, () => {});
    return undefined;
  };

  const make = (): KoaCompatSession => {
    const state = new AttributeProxyState(loose, tracker, logger);
    let retiredId: string | undefined;
    const gone = (): Promise<void> =>
      Promise.reject(new SessionInvalidatedError(retiredId ?? '', 'This session object was regenerated'));
    const toJSON = (): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const name of Reflect.ownKeys(proxy)) {
        if (typeof name === 'string') out[name] = (proxy as unknown as Record<string, unknown>)[name];
      }
      return out;
    };
    const members = {
      get isNew() {
        return session.isNew;
      },
      get length() {
        return Reflect.ownKeys(proxy).length;
      },
      get populated() {
        return Reflect.ownKeys(proxy).length > 0;
      },
      get maxAge(): number | 'session' {
        return cookieLifetimeMs(loose, defaultMaxAgeSeconds) ?? 'session';
      },
      set maxAge(value: number | 'session') {
        if (!state.retired) setCookieLifetimeMs(loose, value === 'session' ? null : value);
      },
      get externalKey() {
        return retiredId ?? session.id;
      },
      get requestSession() {
        return session;
      },
      save(callback?: NodeCallback) {
        return respond(state.retired ? gone() : session.save(), callback);
      },
      regenerate(callback?: NodeCallback) {
        if (state.retired) return respond(gone(), callback);
        const before = state.copyAttributes();
        const id = session.id;
        const invalidated = session.invalidate().then(() => {
          retiredId = id;
          state.retire(before);
          current = make();
          removed = false;
          tracker.defer(undefined);
        });
        // Responses and saves wait for the removal; the save below must not wait for itself.
        tracker.track(invalidated);
        // As koa-session, the new session is saved at once, even empty.
        return respond(
          invalidated.then(() => session.save()),
          callback,
        );
      },
      manuallyCommit() {
        return state.retired ? gone() : controller.commit({ explicit: true });
      },
      toJSON,
      [inspect.custom]: toJSON,
    };
    const proxy: KoaCompatSession = createAttributeProxy<KoaCompatSession>(state, { members });
    return proxy;
  };

  let current = make();
  Object.defineProperty(ctx, 'session', {
    configurable: true,
    enumerable: true,
    get: () => (removed ? null : current),
    set: (value: unknown) => {
      if (value === null) {
        // As koa-session: the session is removed when it is committed.
        removed = true;
        tracker.defer(() => session.invalidate());
        return;
      }
      if (typeof value !== 'object' || value === undefined) {
        throw new InvalidArgumentError('ctx.session can only be set to null or an object');
      }
      removed = false;
      tracker.defer(undefined);
      // The object's data replaces the session's, under the same id (as koa-session keeps its key).
      const data = { ...(value as Record<string, unknown>) };
      for (const name of session.names()) if (!(name in data)) Reflect.deleteProperty(current, name);
      for (const [name, item] of Object.entries(data)) {
        // koa-session's own fields (`_expire`, `_maxAge`) and the object's members are not data.
        if (!name.startsWith('_') && !MEMBER_NAMES.has(name) && !(name in Object.prototype)) {
          Reflect.set(current, name, item);
        }
      }
    },
  });
}

const MEMBER_NAMES: ReadonlySet<string> = new Set([
  'isNew',
  'length',
  'populated',
  'maxAge',
  'externalKey',
  'requestSession',
  'save',
  'regenerate',
  'manuallyCommit',
  'toJSON',
]);
