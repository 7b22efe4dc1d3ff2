/** The demo's whole stylesheet, served at /styles.css. No build step, no framework. */
export const styles = `
:root {
  --bg: #f5f6fb;
  --card: #ffffff;
  --text: #1b1f2e;
  --muted: #667085;
  --line: #e6e8f0;
  --accent: #5b4cf5;
  --accent-soft: #eeecff;
  --accent-text: #ffffff;
  --ok: #12b76a;
  --ok-soft: #e7f8ef;
  --danger: #e5484d;
  --danger-soft: #fdecec;
  --info: #2e6fd8;
  --info-soft: #e8f0fd;
  --warn: #b25e09;
  --warn-soft: #fdf1e2;
  --radius: 14px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.04), 0 8px 24px rgba(16, 24, 40, 0.06);
  --mono: ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1117;
    --card: #181b25;
    --text: #e9ebf3;
    --muted: #98a0b3;
    --line: #272b38;
    --accent: #8b7fff;
    --accent-soft: #26224a;
    --ok-soft: #10291d;
    --danger-soft: #331719;
    --info: #7aa7f5;
    --info-soft: #14213a;
    --warn: #f0a44b;
    --warn-soft: #33230f;
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.3), 0 8px 24px rgba(0, 0, 0, 0.25);
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body {
  font: 15px/1.55 Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  color: var(--text);
  background: var(--bg);
  -webkit-font-smoothing: antialiased;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: var(--mono); font-size: 13px; }

.topbar {
  position: sticky; top: 0; z-index: 10;
  background: color-mix(in srgb, var(--card) 85%, transparent);
  backdrop-filter: saturate(180%) blur(10px);
  border-bottom: 1px solid var(--line);
}
.topbar-inner {
  max-width: 980px; margin: 0 auto; padding: 12px 24px;
  display: flex; align-items: center; gap: 24px;
}
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; color: var(--text); letter-spacing: -0.01em; white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand-mark {
  width: 28px; height: 28px; border-radius: 8px; display: grid; place-items: center;
  background: linear-gradient(135deg, var(--accent), #9d5cf5); color: #fff; font-size: 14px;
}
.nav { display: flex; gap: 4px; flex: 1; }
.nav a { padding: 6px 12px; border-radius: 8px; color: var(--muted); font-weight: 500; }
.nav a:hover { background: var(--accent-soft); color: var(--accent); text-decoration: none; }
.nav a.active { background: var(--accent-soft); color: var(--accent); }
.user { display: flex; align-items: center; gap: 12px; color: var(--muted); min-width: 0; }
.user .name { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.avatar {
  flex: none; width: 30px; height: 30px; border-radius: 50%; display: grid; place-items: center;
  background: var(--accent-soft); color: var(--accent); font-weight: 700; font-size: 13px; text-transform: uppercase;
}

main { max-width: 980px; margin: 0 auto; padding: 36px 24px 64px; }
.page-head { margin-bottom: 24px; }
.page-head h1 { margin: 0 0 6px; font-size: 28px; letter-spacing: -0.02em; }
.page-head p { margin: 0; color: var(--muted); overflow-wrap: anywhere; }

.grid { display: grid; gap: 20px; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 860px) { .grid.two { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); align-items: start; } }

.card {
  background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
  box-shadow: var(--shadow); padding: 24px;
}
.card h2 { margin: 0 0 4px; font-size: 17px; letter-spacing: -0.01em; }
.card .sub { margin: 0 0 18px; color: var(--muted); font-size: 14px; }
.card-head { display: flex; flex-wrap: wrap; align-items: flex-start; justify-content: space-between; gap: 12px 16px; margin-bottom: 14px; }
.card-head > div { flex: 1 1 220px; min-width: 0; }
.card-head .sub { margin: 0; }

details.confirm > summary { list-style: none; }
details.confirm > summary::-webkit-details-marker { display: none; }
details.confirm[open] { flex-basis: 100%; }
details.confirm[open] > summary { color: var(--text); }
.confirm-panel {
  margin-top: 10px; padding: 14px 16px; border-radius: 10px; font-size: 14px;
  background: var(--danger-soft); border: 1px solid color-mix(in srgb, var(--danger) 25%, transparent);
}
.confirm-panel p { margin: 0 0 12px; }
.confirm-panel .btn { white-space: normal; text-align: left; }

.auth { max-width: 420px; margin: 48px auto 0; }
.auth .card { padding: 32px; }
.auth h1 { margin: 0 0 6px; font-size: 24px; letter-spacing: -0.02em; }
.hint {
  display: flex; gap: 10px; align-items: flex-start; margin: 18px 0 22px; padding: 12px 14px;
  border-radius: 10px; background: var(--accent-soft); color: var(--text); font-size: 14px;
}
.hint strong { color: var(--accent); }
.hint-icon { flex: none; color: var(--accent); margin-top: 1px; }
label { display: block; font-weight: 600; font-size: 13px; margin: 14px 0 6px; }
input[type=text], input[type=password] {
  width: 100%; padding: 10px 12px; font: inherit; color: var(--text);
  background: var(--bg); border: 1px solid var(--line); border-radius: 10px; outline: none;
  transition: border-color 0.15s, box-shadow 0.15s;
}
input:focus { border-color: var(--accent); box-shadow: 0 0 0 4px var(--accent-soft); }

.btn {
  display: inline-flex; align-items: center; justify-content: center; gap: 8px;
  padding: 9px 16px; border-radius: 10px; border: 1px solid transparent;
  font: inherit; font-weight: 600; font-size: 14px; cursor: pointer; white-space: nowrap;
  transition: filter 0.15s, background 0.15s;
}
.btn:hover { filter: brightness(1.06); text-decoration: none; }
.btn-primary { background: var(--accent); color: var(--accent-text); }
.btn-block { width: 100%; margin-top: 22px; padding: 11px 16px; }
.btn-ghost { background: transparent; color: var(--muted); border-color: var(--line); }
.btn-ghost:hover { color: var(--text); }
.btn-danger { background: var(--danger-soft); color: var(--danger); }
.btn-sm { padding: 6px 12px; font-size: 13px; }
form.inline { display: inline; margin: 0; }

.sessions { list-style: none; margin: 0; padding: 0; }
.session {
  display: flex; align-items: center; gap: 16px; padding: 16px 0; border-top: 1px solid var(--line);
}
.session:first-child { border-top: 0; padding-top: 4px; }
.device-icon {
  flex: none; width: 44px; height: 44px; border-radius: 12px; display: grid; place-items: center;
  background: var(--bg); color: var(--muted); border: 1px solid var(--line);
}
.session.current .device-icon { background: var(--accent-soft); color: var(--accent); border-color: transparent; }
.session-main { flex: 1; min-width: 0; }
.session-title { font-weight: 600; display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.session-meta { display: flex; flex-wrap: wrap; column-gap: 14px; color: var(--muted); font-size: 13px; }
.session-meta span { white-space: nowrap; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px; border-radius: 999px;
  font-size: 12px; font-weight: 600; background: var(--accent-soft); color: var(--accent);
}
.badge.ok { background: var(--ok-soft); color: var(--ok); }
.badge.danger { background: var(--danger-soft); color: var(--danger); }
.dot { width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
.badge.ok .dot { animation: pulse 2s infinite; }
@keyframes pulse { 0% { box-shadow: 0 0 0 0 currentColor; } 70% { box-shadow: 0 0 0 6px transparent; } 100% { box-shadow: 0 0 0 0 transparent; } }

.facts { display: grid; grid-template-columns: auto 1fr; gap: 8px 16px; margin: 0; font-size: 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }

pre.code {
  margin: 10px 0 0; padding: 14px 16px; border-radius: 10px; overflow-x: auto;
  background: #141726; color: #d8dcf0; line-height: 1.6;
}
pre.code .c { color: #7d86a8; }

.flash {
  margin-bottom: 20px; padding: 12px 16px; border-radius: 10px; font-weight: 500;
  background: var(--info-soft); color: var(--info); border: 1px solid color-mix(in srgb, var(--info) 25%, transparent);
}
.flash.success { background: var(--ok-soft); color: var(--ok); border-color: color-mix(in srgb, var(--ok) 25%, transparent); }
.flash.warning { background: var(--warn-soft); color: var(--warn); border-color: color-mix(in srgb, var(--warn) 25%, transparent); }
.flash.error { background: var(--danger-soft); color: var(--danger); border-color: color-mix(in srgb, var(--danger) 25%, transparent); }

.live { text-align: center; padding: 40px 24px; }
.clock { font-family: var(--mono); font-size: 56px; font-weight: 600; letter-spacing: -0.02em; margin: 18px 0 6px; }
.live .sub { margin: 0 auto; max-width: 460px; }
.live-stats { display: flex; justify-content: center; gap: 28px; margin-top: 22px; color: var(--muted); font-size: 14px; }
.live-stats b { display: block; color: var(--text); font-size: 20px; }
.ended {
  margin-top: 24px; padding: 18px; border-radius: 12px; background: var(--danger-soft); color: var(--danger);
}
.ended h3 { margin: 0 0 4px; }
.ended p { margin: 0 0 12px; }
[hidden] { display: none !important; }

/* Phones: the header takes two rows (brand and navigation, then the user), cards use the width. */
@media (max-width: 600px) {
  .topbar-inner { flex-wrap: wrap; gap: 8px 16px; padding: 10px 16px; }
  .nav { flex: 1 1 auto; justify-content: flex-end; }
  .user { flex: 1 1 100%; }
  .user .name { flex: 1 1 auto; }
  main { padding: 24px 16px 48px; }
  footer { padding: 0 16px 32px; }
  .card { padding: 18px; }
  .auth { margin-top: 24px; }
  .auth .card { padding: 22px; }
  .session { gap: 12px; flex-wrap: wrap; }
  .clock { font-size: 44px; }
  .live-stats { gap: 16px; }
}
.muted { color: var(--muted); }
footer { max-width: 980px; margin: 0 auto; padding: 0 24px 40px; color: var(--muted); font-size: 13px; }
`;
