import { STATUS_CODES } from 'node:http';
import { InvalidArgumentError, isSessionError, type Session, type SessionLogger } from '@session/core';
import {
  commitWhenAppIsDone,
  compileTrustProxy,
  HttpSessionManager,
  type HttpSessionOptions,
  isSecureRequest,
  type RequestSession,
  type RequestSessionController,
  requestHostname,
  type SessionAttributesOf,
  type SessionExchange,
  type SessionRequest,
  type TrustProxy,
  type TrustProxyFn,
  type WebConnectionInfo,
  webSessionRequest,
} from '@session/http';
import { finishResponse, PendingResponseHeaders } from './response-headers.js';

/**
 * The attributes of a Web request's session. Augment it to type them:
 *
 * ```ts
 * declare module '@session/fetch' {
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

/** Options of {@link FetchSessions}: `HttpSessionOptions` plus what a Web host cannot say itself. */
export interface FetchSessionOptions<S extends Session = Session> extends HttpSessionOptions<S> {
  /**
   * The host's proxy trust (what Express calls `trust proxy`): which proxies' `X-Forwarded-Proto`
   * and `X-Forwarded-Host` decide whether a request is secure and its host name. Hop counting needs
   * the peer address (`connection.remoteAddress` of {@link FetchSessions.load}). Default: the
   * request URL decides.
   */
  trustProxy?: TrustProxy;
  /**
   * Save changes the app makes while a streamed response body is still being produced, once the
   * body has been sent (the response body is then passed through a stream of ours). Only for
   * stored sessions. Default `true`.
   */
  commitAfterBody?: boolean;
  /**
   * The response for a failure in {@link FetchSessions.handle}: the store failing (503), a save
   * that did not land (409), or the handler throwing. Default: the error's `status` (500 for
   * errors without one) with its status text.
   */
  onError?: (error: unknown, request: Request) => Response | Promise<Response>;
}

/** What {@link FetchSessions.load} knows besides the `Request`. */
export interface LoadSessionOptions {
  /** Facts about the connection the host has (peer address, TLS). */
  connection?: WebConnectionInfo;
  /** Path the app is mounted at, e.g. `/shop`, for `useContextPath` cookies. Default `''`. */
  contextPath?: string;
}

interface RequestState<A extends object> {
  readonly controller: RequestSessionController<A, Session>;
  readonly pending: PendingResponseHeaders;
}

const never: TrustProxyFn = () => false;

/** The host name of an absolute URL, `undefined` when it is not one. */
function urlHostname(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * One Web request as the session layer sees it (a class: see `SessionExchange`); the host name is
 * worked out only when a cookie with a domain pattern is written.
 */
class WebExchange implements SessionExchange {
  readonly request: SessionRequest;
  readonly response: PendingResponseHeaders;
  readonly secure: boolean;
  readonly contextPath: string;
  readonly #url: string;
  readonly #trust: TrustProxyFn | undefined;

  constructor(
    request: SessionRequest,
    url: string,
    response: PendingResponseHeaders,
    trust: TrustProxyFn | undefined,
    contextPath: string,
  ) {
    this.request = request;
    this.response = response;
    this.#url = url;
    this.#trust = trust;
    this.secure = isSecureRequest(request, trust ?? never);
    this.contextPath = contextPath;
  }

  get hostname(): string | undefined {
    const trust = this.#trust;
    return trust === undefined ? urlHostname(this.#url) : requestHostname(this.request, trust);
  }
}

/**
 * Sessions for Web-standard `Request`/`Response` servers: Hono, Next.js route handlers,
 * Remix/React Router, SvelteKit, Bun and Deno `fetch` handlers. `load(request)` gives the
 * request's session; `commit(session, response)` saves it and returns the response with the id
 * cookie or header set. The same rules as the Node adapters apply: a session is loaded only for a
 * valid presented id, stored only once something is set, saved before the response goes out, and
 * a store failure is a 503 (`SessionStoreUnavailableError`), a write that did not land a 409.
 *
 * ```ts
 * const sessions = new FetchSessions({ repository: new MemorySessionRepository() });
 *
 * export async function GET(request: Request): Promise<Response> {
 *   const session = await sessions.load(request);
 *   session.set('visits', ((session.get('visits') as number) ?? 0) + 1);
 *   return sessions.commit(session, Response.json({ visits: session.get('visits') }));
 * }
 * ```
 */
export class FetchSessions<A extends object = SessionAttributes, S extends Session = Session> {
  /** The framework-neutral session handling underneath. */
  readonly manager: HttpSessionManager<A, S>;
  /** Where warnings go. */
  readonly logger: SessionLogger;
  readonly #trust: TrustProxyFn | undefined;
  readonly #commitAfterBody: boolean;
  readonly #onError: ((error: unknown, request: Request) => Response | Promise<Response>) | undefined;
  readonly #states = new WeakMap<RequestSession<A>, RequestState<A>>();
  readonly #byRequest = new WeakMap<Request, RequestSession<A>>();

  constructor(options: FetchSessionOptions<S>) {
    const { trustProxy, commitAfterBody, onError, ...httpOptions } =
      options ?? ({} as FetchSessionOptions<S>);
    this.manager = new HttpSessionManager<A, S>(httpOptions as HttpSessionOptions<S>);
    this.logger = this.manager.logger;
    this.#trust = trustProxy === undefined ? undefined : compileTrustProxy(trustProxy);
    this.#commitAfterBody = commitAfterBody ?? true;
    if (onError !== undefined && typeof onError !== 'function') {
      throw new InvalidArgumentError('onError must be a function (error, request) => Response');
    }
    this.#onError = onError;
  }

  /**
   * The session of `request`: loaded when it presents a valid id the store has, else a new one in
   * memory (stored only once something is set). Loading the same `Request` again returns the same
   * session. Throws `SessionStoreUnavailableError` (status 503) when the store fails or does not
   * answer within `storeTimeoutMs`, whatever `whenStoreUnavailable` says: a caller of `load` decides
   * itself whether to go on without a session (`manager.continuesWithoutSession(error)` tells what
   * the option asks for). Saves honour the option.
   */
  async load(request: Request, options: LoadSessionOptions = {}): Promise<RequestSession<A>> {
    const known = this.#byRequest.get(request);
    if (known !== undefined) return known;
    const view = webSessionRequest(request, options.connection);
    const trust = this.#trust;
    const pending = new PendingResponseHeaders();
    const controller = await this.manager.open(
      new WebExchange(view, request.url, pending, trust, options.contextPath ?? ''),
    );
    const session = controller.session;
    this.#states.set(session, { controller, pending });
    this.#byRequest.set(request, session);
    return session;
  }

  /** The session {@link load} gave for `request`, if any. */
  sessionOf(request: Request): RequestSession<A> | undefined {
    return this.#byRequest.get(request);
  }

  /**
   * Saves what changed (if anything) and returns `response` with the session's id cookie or header
   * set when the client needs it (a new or changed id, remember-me, an expired cookie after
   * `invalidate()`). Immutable responses are copied. Changes made while the body streams are
   * saved once it has been sent (see `commitAfterBody`). Throws `SessionStoreUnavailableError`
   * (503) or `SessionSaveConflictError` (409) when the save fails: answer that instead of
   * `response`.
   */
  async commit(session: RequestSession<A>, response: Response): Promise<Response> {
    const state = this.#state(session);
    await state.controller.commit();
    return this.#finish(state, response);
  }

  /**
   * Runs `handler` with the request's session and commits its response: the whole cycle for a
   * `fetch(request)` handler. Failures become responses through `onError`: the store failing
   * while loading or saving, the handler throwing. When the handler threw, its changes are still
   * saved and the id still sent with the error response.
   */
  async handle(
    request: Request,
    handler: (session: RequestSession<A>, request: Request) => Response | Promise<Response>,
    options: LoadSessionOptions = {},
  ): Promise<Response> {
    let session: RequestSession<A>;
    try {
      session = await this.load(request, options);
    } catch (error) {
      return this.#errorResponse(error, request);
    }
    const state = this.#state(session);
    let response: Response;
    let appFailed = false;
    try {
      response = await handler(session, request);
    } catch (error) {
      appFailed = true;
      response = await this.#errorResponse(error, request);
    }
    const commitError = await commitWhenAppIsDone(state.controller, appFailed, this.logger);
    if (commitError !== undefined) return this.#errorResponse(commitError, request);
    return this.#finish(state, response);
  }

  /**
   * A `fetch(request)` handler (Bun's `serve`, Deno's `serve`, `export default { fetch }`) that runs
   * `handler` through {@link handle}.
   */
  handler(
    handler: (session: RequestSession<A>, request: Request) => Response | Promise<Response>,
  ): (request: Request) => Promise<Response> {
    return (request) => this.handle(request, handler);
  }

  #state(session: RequestSession<A>): RequestState<A> {
    const state = this.#states.get(session);
    if (state === undefined) {
      throw new InvalidArgumentError(
        'this session was not loaded by this FetchSessions instance (load(request))',
      );
    }
    return state;
  }

  #finish(state: RequestState<A>, response: Response): Response {
    const { controller, pending } = state;
    controller.writeResponseHeaders();
    const watch = this.#commitAfterBody && controller.isStored && !controller.commitFailed;
    return finishResponse(response, pending, watch ? () => void controller.commitAfterResponse() : undefined);
  }

  async #errorResponse(error: unknown, request: Request): Promise<Response> {
    if (this.#onError !== undefined) return this.#onError(error, request);
    const given = (error as { status?: unknown } | null)?.status;
    const status = typeof given === 'number' && given >= 400 && given <= 599 ? given : 500;
    if (!isSessionError(error)) this.logger.error('a request failed', error);
    return new Response(STATUS_CODES[status] ?? 'Error', {
      status,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
}
