/** A small keep-alive HTTP client for seeding sessions and for the calibration pass. */
import { Agent, request } from 'node:http';
import { ROUTES } from './apps/types.js';

export interface Reply {
  status: number;
  body: string;
  setCookies: string[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function send(port: number, method: string, path: string, cookie?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: cookie === undefined ? {} : { cookie },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, setCookies: res.headers['set-cookie'] ?? [] });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The `Cookie` header a browser would send back after these `Set-Cookie` headers. */
export function cookieHeader(setCookies: string[]): string {
  return setCookies
    .map((line) => line.split(';', 1)[0]?.trim() ?? '')
    .filter((pair) => pair.indexOf('=') > 0 && pair.indexOf('=') < pair.length - 1)
    .join('; ');
}

/** Logs `count` users in through `POST /seed` and returns each one's Cookie header. */
export async function seedSessions(port: number, count: number, concurrency = 16): Promise<string[]> {
  const cookies: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const reply = await send(port, ROUTES.seed.method, ROUTES.seed.path);
        const cookie = cookieHeader(reply.setCookies);
        if (reply.status !== 200 || cookie === '') {
          throw new Error(
            `seeding failed: HTTP ${reply.status}, cookies ${JSON.stringify(reply.setCookies)}`,
          );
        }
        cookies.push(cookie);
      }
    }),
  );
  return cookies;
}
