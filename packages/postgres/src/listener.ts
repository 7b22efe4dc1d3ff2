import { isValidSessionId, type SessionEventKind, type SessionLogger } from '@session/core';
import type { Client, Notification } from 'pg';

/** Notification payload prefixes: `c:<id>` created, `d:<id>` deleted, `x:<id>` expired. */
const KINDS: Record<string, SessionEventKind> = { c: 'created', d: 'deleted', x: 'expired' };

/** Reads one NOTIFY payload; `undefined` for anything this store did not send. */
export function parseNotification(
  payload: string | undefined,
): { type: SessionEventKind; id: string } | undefined {
  if (typeof payload !== 'string' || payload.length < 3 || payload[1] !== ':') return undefined;
  const type = KINDS[payload[0] as string];
  const id = payload.slice(2);
  return type === undefined || !isValidSessionId(id) ? undefined : { type, id };
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * One connection that LISTENs on the store's channel and hands every event to `deliver`: what any
 * instance (this one included) notified after a save, delete or sweep. Reconnects with backoff when
 * the connection drops; events notified while it is down are missed (PostgreSQL keeps none for an
 * absent listener).
 */
export class EventListener {
  readonly #connect: () => Client;
  readonly #channel: string;
  readonly #deliver: (type: SessionEventKind, id: string) => void;
  readonly #logger: SessionLogger;
  #client: Client | undefined;
  #closed = false;
  #retryMs = RETRY_MIN_MS;
  #timer: NodeJS.Timeout | undefined;
  #resolveReady!: () => void;
  #rejectReady!: (err: unknown) => void;
  /** Resolves once LISTEN is in place for the first time; rejects if closed first. */
  readonly ready: Promise<void>;
  #listening = false;

  constructor(
    connect: () => Client,
    channel: string,
    deliver: (type: SessionEventKind, id: string) => void,
    logger: SessionLogger,
  ) {
    this.#connect = connect;
    this.#channel = channel;
    this.#deliver = deliver;
    this.#logger = logger;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    void this.#open();
  }

  /** True while LISTEN is in place. */
  get listening(): boolean {
    return this.#listening;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#rejectReady(new Error('the event listener was closed before it was listening'));
    const client = this.#client;
    this.#client = undefined;
    this.#listening = false;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  async #open(): Promise<void> {
    if (this.#closed) return;
    const client = this.#connect();
    this.#client = client;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      this.#listening = false;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#logger.warn(`session event listener lost its connection; retrying in ${this.#retryMs} ms`, err);
      this.#timer = setTimeout(() => void this.#open(), this.#retryMs);
      this.#timer.unref();
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (message: Notification) => {
      if (message.channel !== this.#channel) return;
      const event = parseNotification(message.payload);
      if (event !== undefined) this.#deliver(event.type, event.id);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (err) {
      fail(err);
      return;
    }
    if (this.#closed || failed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listening = true;
    this.#retryMs = RETRY_MIN_MS;
    this.#resolveReady();
  }
}
