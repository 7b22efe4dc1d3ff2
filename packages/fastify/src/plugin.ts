import { STATUS_CODES } from 'node:http';
import { InvalidArgumentError, type Session } from '@session/core';
import {
  commitWhenAppIsDone,
  guardResponse,
  HttpSessionManager,
  type HttpSessionOptions,
  hostWithoutPort,
  type RequestSessionController,
  type SessionAttributesOf,
  type SessionExchange,
} from '@session/http';
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { FastifySession } from './fastify-session.js';

/**
 * The attributes of `request.session`. Augment it to type them:
 *
 * ```ts
 * declare module '@session/fastify' {
 *   interface SessionData { userId: string; cart: string[] }
 * }
 * ```
 *
 * Left empty, attributes are `Record<string, unknown>`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps fill it in through declaration merging.
export interface SessionData {}

/** `SessionData` once augmented, else any string-keyed attributes. */
export type SessionAttributes = SessionAttributesOf<SessionData>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session, set by `@session/fastify`'s plugin. */
    session: FastifySession<SessionAttributes>;
  }
}

/** Options of the {@link session} plugin: see `HttpSessionOptions` in `@session/http`. */
export type FastifySessionOptions<S extends Session = Session> = HttpSessionOptions<S>;

/**
 * Per-request state: the controller, whether the app failed, and the reply's headers (Fastify's
 * own and the Node response's) from before the route ran, for a save that fails after the route
 * set its own.
 */
class RequestState {
  readonly controller: RequestSessionController<SessionAttributes, Session>;
  appFailed = false;
  readonly #reply: FastifyReply;
  readonly #headers: Record<string, unknown>;

  constructor(controller: RequestSessionController<SessionAttributes, Session>, reply: FastifyReply) {
    this.controller = controller;
    this.#reply = reply;
    this.#headers = reply.getHeaders();
  }

  restoreHeaders(): void {
    const reply = this.#reply;
    for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
    for (const name of Object.keys(this.#headers)) {
      const value = this.#headers[name];
      if (value !== undefined) reply.header(name, value);
    }
  }
}

/**
 * One Fastify request as the session layer sees it (a class: see `SessionExchange`). Fastify
 * works out `protocol` and `hostname` (proxy rules included) on each read, so they are read only
 * when a cookie is written.
 */
class FastifyExchange implements SessionExchange {
  readonly request: FastifyRequest['raw'];
  readonly response: FastifyReply['raw'];
  readonly contextPath: string;
  readonly #request: FastifyRequest;

  constructor(request: FastifyRequest, reply: FastifyReply, contextPath: string) {
    this.#request = request;
    this.request = request.raw;
    this.response = reply.raw;
    this.contextPath = contextPath;
  }

  get secure(): boolean {
    return this.#request.protocol === 'https';
  }

  get hostname(): string | undefined {
    // Fastify 4's `request.hostname` keeps the port.
    return hostWithoutPort(this.#request.hostname);
  }
}

/**
 * Where a request's state lives: a request decoration (a symbol, so apps never see it) rather
 * than a WeakMap, whose entries cost the garbage collector extra work on every request.
 */
const STATE = Symbol('@session/fastify request state');

function stateOf(request: FastifyRequest): RequestState | undefined {
  return (request as unknown as { [STATE]: RequestState | undefined })[STATE] ?? undefined;
}

/**
 * A save triggered by raw writes to `reply.raw` failed: nothing was sent. Fastify's error handling
 * answers, unless the reply was hijacked, where nobody else will: then a plain-text status.
 */
function answerCommitError(reply: FastifyReply, error: unknown): void {
  if (!reply.sent) {
    reply.send(error);
    return;
  }
  reply.raw.setHeader('content-type', 'text/plain; charset=utf-8');
  reply.raw.end(STATUS_CODES[reply.raw.statusCode] ?? 'Service Unavailable');
}

function sessionPlugin(
  fastify: FastifyInstance,
  options: FastifySessionOptions,
  done: (error?: Error) => void,
): void {
  let manager: HttpSessionManager<SessionAttributes, Session>;
  try {
    manager = new HttpSessionManager<SessionAttributes, Session>(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { logger } = manager;
  const contextPath = fastify.prefix ?? '';
  const deps = {
    repository: manager.repository,
    storeTimeoutMs: manager.storeTimeoutMs,
    clock: options.clock ?? Date.now,
  };
  // A second instance in a nested scope finds the decorator; the first one owns each request.
  if (!fastify.hasRequestDecorator('session')) fastify.decorateRequest('session', null as never);
  if (!fastify.hasRequestDecorator(STATE)) fastify.decorateRequest(STATE, null as never);

  fastify.addHook(
    'onRequest',
    (request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction) => {
      if (stateOf(request) !== undefined) {
        next();
        return;
      }
      manager.open(new FastifyExchange(request, reply, contextPath)).then(
        (controller) => {
          (request as unknown as { [STATE]: RequestState })[STATE] = new RequestState(controller, reply);
          request.session = new FastifySession(controller.session, deps);
          // Raw writes to reply.raw (and hijacked replies) wait for the save too; the id cookie or
          // header is written right before the headers leave, whoever sends them.
          guardResponse(reply.raw, controller, {
            logger,
            onCommitError: (error) => answerCommitError(reply, error),
          });
          next();
        },
        // A store that is down: Fastify's error handling answers 503, or no session at all.
        (error: unknown) => (manager.continuesWithoutSession(error) ? next() : next(error as Error)),
      );
    },
  );

  fastify.addHook(
    'onError',
    (request: FastifyRequest, _reply: FastifyReply, _error: Error, next: () => void) => {
      const state = stateOf(request);
      if (state !== undefined) state.appFailed = true;
      next();
    },
  );

  // Saves before the payload and headers go out: replies, redirects, streams, error responses.
  fastify.addHook(
    'onSend',
    (
      request: FastifyRequest,
      _reply: FastifyReply,
      payload: unknown,
      next: (error?: Error | null, value?: unknown) => void,
    ) => {
      const state = stateOf(request);
      if (state === undefined || !state.controller.needsCommit()) {
        next(null, payload);
        return;
      }
      commitWhenAppIsDone(state.controller, state.appFailed, logger).then((error) => {
        if (error === undefined) {
          next(null, payload);
          return;
        }
        // The route's response is discarded: its headers go, those set before the plugin ran stay.
        state.restoreHeaders();
        next(error as Error);
      });
    },
  );
  done();
}

// What fastify-plugin does: the hooks and the decorator apply to the scope that registers the plugin.
Object.assign(sessionPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@session/fastify',
  [Symbol.for('plugin-meta')]: { name: '@session/fastify', fastify: '4.x || 5.x' },
});

/**
 * Fastify 4 and 5 plugin that puts a {@link FastifySession} on `request.session`.
 *
 * ```ts
 * import Fastify from 'fastify';
 * import { MemorySessionRepository } from '@session/memory';
 * import { session } from '@session/fastify';
 *
 * const app = Fastify();
 * await app.register(session, { repository: new MemorySessionRepository() });
 * app.post('/login', async (request) => {
 *   request.session.setPrincipal('alice'); // rotates the id
 *   return { ok: true };
 * });
 * ```
 *
 * - The session is saved in the `onSend` hook, before the payload and headers leave: replies,
 *   redirects, streams and error responses; raw writes to `reply.raw` (and hijacked replies)
 *   wait for the save too. The id cookie or header goes out with that response.
 * - A store that fails or exceeds `storeTimeoutMs` reaches Fastify's error handling as
 *   `SessionStoreUnavailableError` (`statusCode` 503): while loading, and when saving instead of
 *   the route's response (its headers dropped, those set before the plugin ran kept). A write
 *   that did not land is `SessionSaveConflictError` (409). With `whenStoreUnavailable: 'continue'`
 *   a store that is down leaves `request.session` unset (`null`) and the request runs on.
 * - Secure cookies follow Fastify's `trustProxy` setting (`request.protocol`) unless the cookie
 *   resolver has its own `trustProxy`; `useContextPath` uses the prefix the plugin is registered under.
 */
export const session = sessionPlugin as FastifyPluginCallback<FastifySessionOptions>;

/**
 * `request.session` typed with your own attribute type, for apps that prefer a generic over
 * augmenting {@link SessionData}. Throws when the plugin did not run for this request.
 */
export function getSession<A extends object = SessionAttributes>(request: FastifyRequest): FastifySession<A> {
  const current = (request as { session?: unknown }).session;
  if (!(current instanceof FastifySession)) {
    throw new InvalidArgumentError(
      'request.session is not set: register the session plugin from @session/fastify before this route',
    );
  }
  return current as FastifySession<A>;
}
