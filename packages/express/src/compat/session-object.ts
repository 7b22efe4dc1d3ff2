import { type Session, SessionInvalidatedError } from '@session/core';
import type { SessionAttributes } from '@session/express';
import {
  AttributeProxyState,
  CompatSessionTracker,
  CookieSessionIdResolver,
  createAttributeProxy,
  type HttpSessionManager,
  type NodeCallback,
  type RequestSession,
  type RequestSessionController,
  settleWithCallback,
} from '@session/http';
import type { Request } from 'express';
import { createCookieView, type ExpressCompatCookie } from './cookie.js';

/** The methods and fields of the express-session compatible session object (its attributes aside). */
export interface ExpressCompatSessionMembers {
  /** The session id (also `req.sessionID`). */
  readonly id: string;
  /** The session cookie: per-session `maxAge` / `expires`, and how the cookie is written. */
  cookie: ExpressCompatCookie;
  /**
   * Replaces the session with a new, empty one under a new id; the old one is deleted from the
   * store. The callback gets an error when that failed (the session is then unchanged).
   * Afterwards `req.session` is the new object; the old object keeps showing the old attributes
   * and ignores changes (Passport's `keepSessionInfo` reads it).
   */
  regenerate(callback?: NodeCallback): this;
  /** Deletes the session from the store and removes `req.session`; the response expires the cookie. */
  destroy(callback?: NodeCallback): this;
  /**
   * Reloads the attributes from the store, dropping unsaved changes of this request. The callback
   * gets `SessionInvalidatedError` when the store no longer has the session.
   */
  reload(callback?: NodeCallback): this;
  /**
   * Saves now (a new session is stored even when empty). The callback gets the error when the
   * save did not happen: a store failure, or a save that did not land (`SessionSaveConflictError`).
   * Without a callback a failure is logged. Changes are saved at the end of the request anyway.
   */
  save(callback?: NodeCallback): this;
  /** Kept for compatibility: every request that loads the session already records the access. */
  touch(): this;
  /** Kept for compatibility: the cookie is written with its full lifetime whenever it is refreshed. */
  resetMaxAge(): this;
  /** The framework-neutral session underneath (`setPrincipal`, `invalidate`, `rememberMe`, typed `get`/`set`). */
  readonly requestSession: RequestSession<SessionAttributes>;
}

/**
 * `req.session` under `@session/express/compat`: express-session's session object. Attributes are
 * its properties (`req.session.user = 'alice'`), saved as deltas like `RequestSession.set`.
 */
export type ExpressCompatSession = ExpressCompatSessionMembers & Partial<SessionAttributes>;

const compatObjects = new WeakSet<object>();

/** True for the objects {@link installExpressSession} puts on `req.session`. */
export function isExpressCompatSession(value: unknown): value is ExpressCompatSession {
  return typeof value === 'object' && value !== null && compatObjects.has(value);
}

/** Puts an express-session compatible session object on `req.session`, and `req.sessionID`. */
export function installExpressSession<S extends Session>(
  req: Request,
  controller: RequestSessionController<object, S>,
  manager: HttpSessionManager<object, S>,
): void {
  const tracker = new CompatSessionTracker(controller as unknown as RequestSessionController);
  const session = controller.session as unknown as RequestSession<SessionAttributes>;
  const loose = controller.session as unknown as RequestSession;
  const { logger, resolver } = manager;
  const cookieResolver = resolver instanceof CookieSessionIdResolver ? resolver : undefined;
  const target = req as { session?: unknown };
  const unreported = (operation: string) => (error: Error) =>
    logger.warn(`req.session.${operation}() failed and no callback was given`, error.message);

  const make = (): ExpressCompatSession => {
    const state = new AttributeProxyState(loose, tracker, logger);
    let retiredId: string | undefined;
    const cookie = createCookieView({
      session: loose,
      attributes: cookieResolver?.attributes,
      defaultMaxAgeSeconds: cookieResolver?.maxAgeSeconds,
      logger,
      retired: () => state.retired,
    });
    /** Retires this object with the attributes it had. */
    const retire = (attributes: Map<string, unknown>, id: string): void => {
      retiredId = id;
      state.retire(attributes);
    };
    /** What a method of a regenerated or destroyed object reports. */
    const gone = (): Promise<void> =>
      Promise.reject(
        new SessionInvalidatedError(retiredId ?? '', 'This session object was regenerated or destroyed'),
      );
    const members = {
      get id() {
        return retiredId ?? session.id;
      },
      get cookie() {
        return cookie;
      },
      get requestSession() {
        return session;
      },
      regenerate(callback?: NodeCallback) {
        if (state.retired) {
          settleWithCallback(gone(), callback, unreported('regenerate'));
          return proxy;
        }
        const before = state.copyAttributes();
        const id = session.id;
        const work = session.invalidate().then(() => {
          retire(before, id);
          target.session = make();
        });
        tracker.track(work);
        settleWithCallback(work, callback, unreported('regenerate'));
        return proxy;
      },
      destroy(callback?: NodeCallback) {
        if (state.retired) {
          settleWithCallback(Promise.resolve(), callback, unreported('destroy'));
          return proxy;
        }
        // express-session removes req.session at once, before the store has answered.
        retire(state.copyAttributes(), session.id);
        if (target.session === proxy) delete target.session;
        const work = session.invalidate();
        tracker.track(work);
        settleWithCallback(work, callback, unreported('destroy'));
        return proxy;
      },
      reload(callback?: NodeCallback) {
        settleWithCallback(state.retired ? gone() : session.reload(), callback, unreported('reload'));
        return proxy;
      },
      save(callback?: NodeCallback) {
        settleWithCallback(state.retired ? gone() : session.save(), callback, unreported('save'));
        return proxy;
      },
      touch() {
        return proxy;
      },
      resetMaxAge() {
        return proxy;
      },
    };
    const proxy: ExpressCompatSession = createAttributeProxy<ExpressCompatSession>(state, {
      members,
      listed: ['cookie'],
      writeMember(name, value) {
        if (name !== 'cookie') return false;
        // `req.session.cookie = otherSession.cookie` (a merge of two sessions): take its lifetime.
        const source = value as { originalMaxAge?: unknown; maxAge?: unknown } | null;
        const lifetime = source?.originalMaxAge ?? source?.maxAge;
        if (!state.retired && (lifetime === null || typeof lifetime === 'number')) cookie.maxAge = lifetime;
        return true;
      },
    });
    compatObjects.add(proxy);
    return proxy;
  };

  target.session = make();
  Object.defineProperty(req, 'sessionID', {
    configurable: true,
    enumerable: true,
    get: () => session.id,
    // express-session apps do not assign it; an assignment would not change the session.
    set: () => {},
  });
}
