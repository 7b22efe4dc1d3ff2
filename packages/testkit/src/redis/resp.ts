import { createConnection, type Socket } from 'node:net';

/** A decoded RESP2 reply. Error replies become {@link RespError} values, not throws. */
export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-ERR …`) from the server. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** Encodes one command as a RESP array of bulk strings. */
function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply from `buf` at `offset`; `undefined` when the buffer does not hold it all yet. */
function parseReply(buf: Buffer, offset: number): { value: RespValue; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] as number);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + length + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespValue[] = [];
      let cursor = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, cursor);
        if (item === undefined) return undefined;
        items.push(item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    default:
      throw new Error(`Unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/**
 * A minimal Redis connection for the launchers (PING, CLUSTER, INFO, CONFIG). It keeps the
 * testkit free of a hard ioredis dependency; commands are answered in order.
 */
export class RespConnection {
  readonly #socket: Socket;
  readonly #pending: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;
  #failure: Error | undefined;
  #onPush: ((value: RespValue) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects to `host:port`, failing after `timeoutMs`. */
  static connect(host: string, port: number, timeoutMs = 2000): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RespConnection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends one command and resolves with its reply (error replies included as values). */
  call(...args: (string | number)[]): Promise<RespValue> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#socket.write(encodeCommand(args));
    });
  }

  /** Like {@link call}, but an error reply rejects. */
  async command(...args: (string | number)[]): Promise<RespValue> {
    const reply = await this.call(...args);
    if (reply instanceof RespError) throw reply;
    return reply;
  }

  /** Receives replies nobody waits for (MONITOR output, pub/sub messages). */
  onPush(listener: (value: RespValue) => void): void {
    this.#onPush = listener;
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (;;) {
      const reply = parseReply(this.#buffer, offset);
      if (reply === undefined) break;
      offset = reply.next;
      const waiter = this.#pending.shift();
      if (waiter !== undefined) waiter.resolve(reply.value);
      else this.#onPush?.(reply.value);
    }
    this.#buffer = this.#buffer.subarray(offset);
  }

  #fail(err: Error): void {
    if (this.#failure === undefined) this.#failure = this.#closed ? new Error('connection closed') : err;
    for (const waiter of this.#pending.splice(0)) waiter.reject(this.#failure);
  }
}

/** Opens a connection, runs one command and closes. Error replies reject. */
export async function runCommand(
  host: string,
  port: number,
  args: (string | number)[],
  timeoutMs = 2000,
): Promise<RespValue> {
  const connection = await RespConnection.connect(host, port, timeoutMs);
  try {
    return await withTimeout(connection.command(...args), timeoutMs, `${String(args[0])} on ${host}:${port}`);
  } finally {
    connection.close();
  }
}

/** Rejects with a clear message when `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Parses `INFO` text into `{ field: value }`. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}
