/** Escapes text for HTML bodies and quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A compact stylesheet: the Express demo's look in fewer lines. */
export const styles = `
:root { --bg:#f5f6fb; --card:#fff; --text:#1b1f2e; --muted:#667085; --line:#e6e8f0; --accent:#e0573b; --soft:#fdeee9; --danger:#d92d20; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.55 ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color:var(--text); background:var(--bg); }
a { color:var(--accent); }
header { background:var(--card); border-bottom:1px solid var(--line); }
header div, main { max-width:760px; margin:0 auto; padding:14px 24px; }
header div { display:flex; gap:18px; align-items:center; }
header b { flex:1; } header b span { color:var(--accent); }
main { padding-top:32px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:14px; padding:24px; margin-bottom:20px; box-shadow:0 8px 24px rgba(16,24,40,.06); }
h1 { margin:0 0 6px; font-size:24px; } .muted { color:var(--muted); }
label { display:block; font-weight:600; font-size:13px; margin:14px 0 6px; }
input[type=text], input[type=password] { width:100%; padding:10px 12px; font:inherit; border:1px solid var(--line); border-radius:10px; }
button { font:inherit; font-weight:600; padding:8px 14px; border-radius:10px; border:0; cursor:pointer; background:var(--accent); color:#fff; }
button.ghost { background:transparent; color:var(--muted); border:1px solid var(--line); }
button.danger { background:var(--soft); color:var(--danger); }
ul { list-style:none; padding:0; margin:0; }
li { display:flex; align-items:center; gap:12px; padding:12px 0; border-top:1px solid var(--line); }
li:first-child { border-top:0; } li div { flex:1; } li small { color:var(--muted); display:block; }
.badge { font-size:12px; font-weight:600; padding:2px 9px; border-radius:999px; background:var(--soft); color:var(--accent); }
.notice { padding:10px 14px; border-radius:10px; background:var(--soft); margin-bottom:16px; }
.clock { font:600 44px ui-monospace, Menlo, monospace; text-align:center; margin:12px 0; }
form { margin:0; }
`;

function page(title: string, body: string, user?: { name: string; csrf: string }): string {
  const nav = user
    ? `<a href="/">Sessions</a><a href="/live">Live</a><span class="muted">${esc(user.name)}</span>
       <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${esc(user.csrf)}"><button class="ghost">Sign out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · @session on Koa</title><link rel="stylesheet" href="/styles.css"></head>
<body><header><div><b><span>@</span>session on Koa</b>${nav}</div></header><main>${body}</main></body></html>`;
}

/** The username rule in words, as the sign-in page and its error state it. */
export const USERNAME_RULE = '1 to 64 letters, digits or . _ @ -';

/** Sign-in form. */
export function loginPage(error?: string, notice?: string): string {
  return page(
    'Sign in',
    `<div class="card"><h1>Sign in</h1>
    <p class="muted">No account needed: pick a username of ${USERNAME_RULE}; the password is <b>demo</b>.</p>
    ${notice ? `<div class="notice">${esc(notice)}</div>` : ''}
    ${error ? `<div class="notice" role="alert">${esc(error)}</div>` : ''}
    <form method="post" action="/login">
      <label for="username">Username</label><input id="username" name="username" type="text" required maxlength="64">
      <label for="password">Password</label><input id="password" name="password" type="password" required>
      <p><button type="submit">Sign in</button></p>
    </form></div>`,
  );
}

/** One row of the sessions list. */
export interface Row {
  handle: string;
  device: string;
  lastSeen: string;
  current: boolean;
}

/** The user's sessions with revoke buttons. */
export function sessionsPage(user: { name: string; csrf: string }, rows: Row[], notice?: string): string {
  const items = rows
    .map(
      (
        r,
      ) => `<li data-testid="session" data-current="${r.current}"><div><b>${esc(r.device)}</b><small>last seen ${esc(r.lastSeen)}</small></div>
      ${
        r.current
          ? '<span class="badge">This device</span>'
          : `<form method="post" action="/sessions/${esc(r.handle)}/revoke"><input type="hidden" name="_csrf" value="${esc(user.csrf)}"><button class="danger">Revoke</button></form>`
      }</li>`,
    )
    .join('');
  return page(
    'Your sessions',
    `${notice ? `<div class="notice" role="status">${esc(notice)}</div>` : ''}
    <div class="card"><h1>Your sessions <span class="badge">${rows.length}</span></h1>
    <p class="muted">Everywhere ${esc(user.name)} is signed in, from the store's principal index.</p>
    <ul>${items}</ul>
    ${
      rows.length > 1
        ? `<form method="post" action="/sessions/revoke-others"><input type="hidden" name="_csrf" value="${esc(user.csrf)}"><p><button class="ghost">Sign out everywhere else</button></p></form>`
        : ''
    }</div>
    <div class="card"><b>REST:</b> <code>POST /api/login</code> returns a token; send it as <code>X-Auth-Token</code> to <code>GET /api/me</code>.</div>`,
    user,
  );
}

/** The live page: a WebSocket clock that shows when the session ends. */
export function livePage(user: { name: string; csrf: string }): string {
  return page(
    'Live',
    `<div class="card" id="live"><h1>Live <span class="badge" id="status" data-state="connecting">Connecting…</span></h1>
    <div class="clock" id="clock">--:--:--</div>
    <p class="muted" id="ended" hidden>Session ended. <a href="/login">Sign in again</a></p></div>
    <script src="/live.js" defer></script>`,
    user,
  );
}

/** Browser script of the live page. */
export const liveScript = `
(() => {
  const status = document.getElementById('status');
  const set = (state, text) => { status.dataset.state = state; status.textContent = text; };
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/live/socket');
  let timer;
  ws.onopen = () => { set('connected', 'Connected'); timer = setInterval(() => ws.send('heartbeat'), 10000); };
  ws.onmessage = (e) => { document.getElementById('clock').textContent = new Date(Number(e.data)).toLocaleTimeString(); };
  ws.onclose = (e) => {
    clearInterval(timer);
    if (e.code === 1008) { set('ended', 'Session ended'); document.getElementById('ended').hidden = false; }
    else set('disconnected', 'Disconnected');
  };
})();
`;
