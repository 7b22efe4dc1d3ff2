/**
 * A session id shortened for logs: enough to correlate lines, never enough to hijack the session.
 * Returns the first 4 characters and an ellipsis.
 */
export function redactSessionId(sessionId: string | undefined): string {
  if (sessionId === undefined || sessionId === '') return '(none)';
  return `${sessionId.slice(0, 4)}…`;
}
