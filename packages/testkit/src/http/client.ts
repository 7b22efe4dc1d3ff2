import http from 'node:http';

/** One response, with the parts the tests look at. */
export interface TestResponse {
  status: number;
  body: string;
  headers: Headers;
  setCookies: string[];
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  cookie?: string;
  headers?: Record<string, string>;
  /** Request body, sent as is (set `content-type` in `headers`). */
  body?: string;
}

/** A real HTTP request through `fetch`; redirects are not followed. */
export async function send(url: string, options: SendOptions = {}): Promise<TestResponse> {
  const headers = new Headers(options.headers);
  if (options.cookie !== undefined) headers.set('cookie', options.cookie);
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
    redirect: 'manual',
  });
  const body = await res.text();
  return { status: res.status, body, headers: res.headers, setCookies: res.headers.getSetCookie() };
}

/**
 * A request through `http.request`, for header values `fetch` refuses (bytes above 0x7F in a
 * cookie, a custom `Host`). Header strings are sent as latin1 bytes.
 */
export function sendRaw(
  url: string,
  options: { method?: string; headers: Record<string, string> },
): Promise<{ status: number; body: string; setCookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: res.headers['set-cookie'] ?? [],
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A parsed `Set-Cookie` header. */
export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case mapped to their value (`''` for flags). */
  attributes: Map<string, string>;
  raw: string;
}

/** Parses one `Set-Cookie` header value. */
export function parseSetCookie(raw: string): ParsedSetCookie {
  const [pair = '', ...rest] = raw.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const [key = '', ...value] = part.trim().split('=');
    attributes.set(key.toLowerCase(), value.join('='));
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw };
}

/** The `Set-Cookie` for `name`, or `undefined`. Fails when there is more than one. */
export function findSetCookie(setCookies: string[], name = 'SESSION'): ParsedSetCookie | undefined {
  const matches = setCookies.map(parseSetCookie).filter((cookie) => cookie.name === name);
  if (matches.length > 1) throw new Error(`More than one Set-Cookie for ${name}: ${setCookies.join(' | ')}`);
  return matches[0];
}

/** Decodes a Spring-style base64 cookie value. */
export function decodeBase64Id(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}
