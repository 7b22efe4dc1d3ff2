/**
 * One-time notices ("flash messages"): an action stores the notice's key in the session, the next
 * page shows it and removes it, so a reload never shows it again and no notice lives in a URL.
 */

/** How a notice looks: a success, plain information, or something the user should act on. */
export type NoticeTone = 'success' | 'info' | 'warning';

/** A notice as a page renders it. */
export interface Notice {
  readonly tone: NoticeTone;
  readonly text: string;
}

export const NOTICES = {
  revoked: {
    tone: 'success',
    text: 'Session revoked. That device is signed out, and its live page was closed.',
  },
  'revoked-others': {
    tone: 'success',
    text: 'Signed out everywhere else: your other browser sessions and API tokens have ended.',
  },
  'revoke-not-confirmed': {
    tone: 'info',
    text: 'Nothing was signed out. Confirm to end your other sessions.',
  },
  'signed-out': { tone: 'info', text: 'You are signed out.' },
  'session-ended': {
    tone: 'warning',
    text: 'Your session ended (it was revoked or expired). Sign in again.',
  },
} as const satisfies Record<string, Notice>;

/** The key of a notice. */
export type NoticeKey = keyof typeof NOTICES;

/** The notice for a key read back from a session; `undefined` for anything else. */
export function noticeFor(key: unknown): Notice | undefined {
  return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : undefined;
}
