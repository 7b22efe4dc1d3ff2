/**
 * The live page's browser script, served at /live.js. Plain ES2020, no build step. It shows the
 * server clock, sends heartbeats (activity that keeps the session alive) and, when the server
 * closes the socket with 1008, shows that the session ended.
 */
export const liveScript = `
(() => {
  const root = document.getElementById('live');
  const statusEl = document.getElementById('status');
  const statusText = document.getElementById('status-text');
  const clock = document.getElementById('clock');
  const connectedFor = document.getElementById('connected-for');
  const heartbeatsEl = document.getElementById('heartbeats');
  const expires = document.getElementById('expires');
  const ended = document.getElementById('ended');
  const endedReason = document.getElementById('ended-reason');
  const heartbeatMs = Number(root.dataset.heartbeatMs) || 10000;
  const SESSION_ENDED = 1008;
  let heartbeats = 0;
  let retries = 0;
  let timer;

  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  function setState(state, text) {
    statusEl.dataset.state = state;
    statusEl.className = 'badge' + (state === 'connected' ? ' ok' : state === 'ended' ? ' danger' : '');
    statusText.textContent = text;
  }
  function showEnded(reason) {
    setState('ended', 'Session ended');
    endedReason.textContent = reason;
    ended.hidden = false;
    clearInterval(timer);
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + '/live/socket');
    ws.onopen = () => {
      retries = 0;
      setState('connected', 'Connected');
      clearInterval(timer);
      timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify({ type: 'heartbeat' }));
        heartbeatsEl.textContent = String(++heartbeats);
      }, heartbeatMs);
    };
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.type !== 'tick') return;
      clock.textContent = time(msg.now);
      connectedFor.textContent = msg.connectedSeconds + ' s';
      expires.textContent = msg.idleUntil === null ? 'never' : time(msg.idleUntil);
    };
    ws.onclose = async (event) => {
      clearInterval(timer);
      if (event.code === SESSION_ENDED) {
        showEnded(event.reason === 'Session expired'
          ? 'This session expired after being idle. Sign in to start a new one.'
          : 'This session was revoked from another device. Sign in to start a new one.');
        return;
      }
      // A refused upgrade looks like a plain disconnect in browsers: ask the API whether we are still signed in.
      const me = await fetch('/api/me', { credentials: 'same-origin' }).catch(() => null);
      if (me && me.status === 401) {
        showEnded('This session is no longer valid. Sign in to start a new one.');
        return;
      }
      setState('disconnected', 'Disconnected, reconnecting…');
      setTimeout(connect, Math.min(10000, 1000 * 2 ** retries++));
    };
  }
  connect();
})();
`;
