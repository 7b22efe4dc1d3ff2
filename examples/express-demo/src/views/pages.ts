import { USERNAME_PATTERN, USERNAME_RULE } from '../auth.js';
import type { Device, DeviceKind } from '../device.js';
import type { Notice } from '../notices.js';
import { formatDuration, timeAgo } from '../time.js';
import { html, SafeHtml } from './html.js';

/** The signed-in user as pages show them. */
export interface Viewer {
  readonly username: string;
  /** Anti-CSRF token of the current session, for the forms. */
  readonly csrf: string;
}

/** One of the user's sessions, as the sessions page lists it. */
export interface SessionRow {
  /** Opaque handle used by the revoke form; never the session id itself. */
  readonly handle: string;
  readonly device: Device;
  readonly ip: string | undefined;
  readonly via: 'browser' | 'api';
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly current: boolean;
}

/** Facts about the running demo shown in the side card. */
export interface DemoFacts {
  /** Store URL without credentials, e.g. `memory:` or `redis://127.0.0.1:6379`. */
  readonly store: string;
  readonly idleTimeoutMs: number;
  readonly origin: string;
}

const ICONS: Record<DeviceKind, string> = {
  desktop: '<rect x="4" y="5" width="16" height="11" rx="2"/><path d="M2 19h20"/>',
  mobile: '<rect x="7" y="3" width="10" height="18" rx="2.5"/><path d="M11 18h2"/>',
  cli: '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M7 9l3 3-3 3M13 15h4"/>',
};

function icon(kind: DeviceKind): SafeHtml {
  return new SafeHtml(
    `<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[kind]}</svg>`,
  );
}

const infoIcon = new SafeHtml(
  '<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true" class="hint-icon"><circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 8h.01"/></svg>',
);

/** A one-time notice, styled by its tone (a success is green, an ended session is a warning). */
function noticeBox(notice: Notice | undefined): SafeHtml | '' {
  if (notice === undefined) return '';
  const role = notice.tone === 'warning' ? 'alert' : 'status';
  return html`<div class="flash ${notice.tone}" role="${role}" data-testid="notice">${notice.text}</div>`;
}

function layout(options: {
  title: string;
  viewer?: Viewer;
  active?: 'sessions' | 'live';
  body: SafeHtml;
}): string {
  const { title, viewer, active, body } = options;
  const nav =
    viewer === undefined
      ? ''
      : html`<nav class="nav">
          <a href="/" class="${active === 'sessions' ? 'active' : ''}">Sessions</a>
          <a href="/live" class="${active === 'live' ? 'active' : ''}">Live</a>
        </nav>
        <div class="user">
          <span class="avatar">${viewer.username.slice(0, 1)}</span>
          <span class="name" data-testid="username" title="${viewer.username}">${viewer.username}</span>
          <form class="inline" method="post" action="/logout">
            <input type="hidden" name="_csrf" value="${viewer.csrf}">
            <button class="btn btn-ghost btn-sm" type="submit">Sign out</button>
          </form>
        </div>`;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · @session demo</title>
  <link rel="stylesheet" href="/styles.css">
</head>
<body>
  <header class="topbar">
    <div class="topbar-inner">
      <a class="brand" href="/"><span class="brand-mark">@</span> session demo</a>
      ${nav}
    </div>
  </header>
  <main>${body}</main>
  <footer>@session/* — Spring Session's model for Node.js. Sessions live in the store, not in the browser.</footer>
</body>
</html>`.value;
}

/** The sign-in page. */
export function loginPage(options: { error?: string; username?: string; notice?: Notice }): string {
  const body = html`<section class="auth">
    <div class="card">
      <h1>Sign in</h1>
      <p class="muted">A demo of server-side sessions you can see, list and revoke.</p>
      <div class="hint">${infoIcon}<span>No account needed: pick a username of ${USERNAME_RULE}. The password is <strong>demo</strong>.
        Sign in as the same user from two browsers (or a private window) to see both sessions.</span></div>
      ${noticeBox(options.notice)}
      ${options.error === undefined ? '' : html`<div class="flash error" role="alert">${options.error}</div>`}
      <form method="post" action="/login">
        <label for="username">Username</label>
        <input id="username" name="username" type="text" autocomplete="username" required maxlength="64"
          pattern="${USERNAME_PATTERN}" title="${USERNAME_RULE}"
          value="${options.username ?? ''}" placeholder="alice" autofocus>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required placeholder="demo">
        <button class="btn btn-primary btn-block" type="submit">Sign in</button>
      </form>
    </div>
  </section>`;
  return layout({ title: 'Sign in', body });
}

function sessionItem(row: SessionRow, viewer: Viewer, now: number): SafeHtml {
  const action = row.current
    ? html`<span class="badge"><span class="dot"></span>This device</span>`
    : html`<form class="inline" method="post" action="/sessions/${row.handle}/revoke">
        <input type="hidden" name="_csrf" value="${viewer.csrf}">
        <button class="btn btn-danger btn-sm" type="submit" data-testid="revoke">Revoke</button>
      </form>`;
  return html`<li class="session ${row.current ? 'current' : ''}" data-testid="session" data-current="${String(row.current)}">
    <div class="device-icon">${icon(row.device.kind)}</div>
    <div class="session-main">
      <div class="session-title">${row.device.label}${row.via === 'api' ? html` <span class="badge">API token</span>` : ''}</div>
      <div class="session-meta">
        <span title="${new Date(row.createdAt).toISOString()}">Signed in ${timeAgo(row.createdAt, now)}</span>
        <span title="${new Date(row.lastSeenAt).toISOString()}">Last seen ${timeAgo(row.lastSeenAt, now)}</span>
        ${row.ip === undefined ? '' : html`<span>${row.ip}</span>`}
      </div>
    </div>
    ${action}
  </li>`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * "Sign out everywhere else", behind a confirmation: it ends API tokens too, and scripts using
 * them start getting 401. No script needed (a disclosure); the server insists on `confirm=yes`.
 */
function revokeOthers(viewer: Viewer, others: number, tokens: number): SafeHtml {
  const what = plural(others, 'other session', 'other sessions');
  const which =
    tokens === others
      ? others === 1
        ? 'It is an API token'
        : 'They are all API tokens'
      : plural(tokens, 'of them is an API token', 'of them are API tokens');
  const consequence =
    tokens === 0
      ? 'Those devices are signed out at once, live pages included.'
      : `${which}: scripts using ${tokens === 1 ? 'it' : 'them'} will get 401 and must sign in again.`;
  return html`<details class="confirm" data-testid="revoke-others">
    <summary class="btn btn-ghost btn-sm">Sign out everywhere else</summary>
    <div class="confirm-panel">
      <p>This ends your ${what}. ${consequence}</p>
      <form class="inline" method="post" action="/sessions/revoke-others">
        <input type="hidden" name="_csrf" value="${viewer.csrf}">
        <input type="hidden" name="confirm" value="yes">
        <button class="btn btn-danger btn-sm" type="submit" data-testid="confirm-revoke-others">Sign out ${what}</button>
      </form>
    </div>
  </details>`;
}

/** "Your sessions": every session of the user, the current one marked, with revoke buttons. */
export function sessionsPage(options: {
  viewer: Viewer;
  rows: readonly SessionRow[];
  facts: DemoFacts;
  flash?: Notice;
  now?: number;
}): string {
  const { viewer, rows, facts } = options;
  const now = options.now ?? Date.now();
  const others = rows.filter((r) => !r.current).length;
  const otherTokens = rows.filter((r) => !r.current && r.via === 'api').length;
  const current = rows.find((r) => r.current);
  const body = html`
  <div class="page-head">
    <h1>Your sessions</h1>
    <p>Every place <strong>${viewer.username}</strong> is signed in right now, read from the session store's principal index.</p>
  </div>
  ${noticeBox(options.flash)}
  <div class="grid two">
    <section class="card">
      <div class="card-head">
        <div>
          <h2>Active sessions <span class="badge" data-testid="session-count">${rows.length}</span></h2>
          <p class="sub">Revoking a session signs that device out at once, live pages included.</p>
        </div>
        ${others === 0 ? '' : revokeOthers(viewer, others, otherTokens)}
      </div>
      <ul class="sessions">${rows.map((row) => sessionItem(row, viewer, now))}</ul>
    </section>
    <div class="grid">
      <section class="card">
        <h2>This session</h2>
        <p class="sub">Stored server-side; the browser only holds an opaque id in an HttpOnly cookie.</p>
        <dl class="facts">
          <dt>User</dt><dd>${viewer.username}</dd>
          <dt>Signed in</dt><dd>${current === undefined ? '—' : timeAgo(current.createdAt, now)}</dd>
          <dt>Idle timeout</dt><dd>${formatDuration(facts.idleTimeoutMs)}</dd>
          <dt>Store</dt><dd><code>${facts.store}</code></dd>
        </dl>
      </section>
      <section class="card" id="api">
        <h2>REST API with <code>X-Auth-Token</code></h2>
        <p class="sub">The same sessions, for clients without cookies.</p>
        <pre class="code"><span class="c"># sign in: the token is the session id</span>
curl -s -X POST ${facts.origin}/api/login \\
  -H 'content-type: application/json' \\
  -d '{"username":"${viewer.username}","password":"demo"}'

<span class="c"># call the API with it</span>
curl -s ${facts.origin}/api/me -H "X-Auth-Token: $TOKEN"</pre>
      </section>
    </div>
  </div>`;
  return layout({ title: 'Your sessions', viewer, active: 'sessions', body });
}

/** The live page: a WebSocket that keeps the session alive and shows when it is ended. */
export function livePage(options: { viewer: Viewer; facts: DemoFacts; heartbeatMs: number }): string {
  const { viewer, facts } = options;
  const body = html`
  <div class="page-head">
    <h1>Live connection</h1>
    <p>A WebSocket opened with this session's cookie. Revoke this session from another browser and watch it end here.</p>
  </div>
  <section class="card live" data-heartbeat-ms="${String(options.heartbeatMs)}" id="live">
    <span class="badge" id="status" data-state="connecting"><span class="dot"></span><span id="status-text">Connecting…</span></span>
    <div class="clock" id="clock">--:--:--</div>
    <p class="sub">Server time, pushed every second. Every ${Math.round(options.heartbeatMs / 1000)} s this page sends a heartbeat,
      which counts as activity and keeps the session (idle timeout ${formatDuration(facts.idleTimeoutMs)}) alive.</p>
    <div class="live-stats">
      <div><b id="connected-for">0 s</b>connected</div>
      <div><b id="heartbeats">0</b>heartbeats sent</div>
      <div><b id="expires">—</b>session idle until</div>
    </div>
    <div class="ended" id="ended" role="alert" hidden>
      <h3>Session ended</h3>
      <p id="ended-reason">This session was signed out.</p>
      <a class="btn btn-primary btn-sm" href="/login">Sign in again</a>
    </div>
  </section>
  <script src="/live.js" defer></script>`;
  return layout({ title: 'Live', viewer, active: 'live', body });
}

/** A small page for 404s and failures. */
export function messagePage(title: string, message: string): string {
  const body = html`<section class="auth"><div class="card"><h1>${title}</h1><p class="muted">${message}</p>
    <a class="btn btn-primary" href="/">Back to the demo</a></div></section>`;
  return layout({ title, body });
}
