// Small localStorage helpers that never throw (private mode, disabled storage).
export function readLocal(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeLocal(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    /* storage unavailable: the preference is just not remembered */
  }
}

const LAST_TENANT = 'kefu.lastTenant';

/** The tenant the user last worked in, remembered per user on this browser. */
export function getLastTenant(userId: string): string | null {
  return readLocal(`${LAST_TENANT}.${userId}`);
}

export function setLastTenant(userId: string, tenantId: string): void {
  writeLocal(`${LAST_TENANT}.${userId}`, tenantId);
}

/** Only same-origin console paths may be used as a post-login destination. */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/login') || next.startsWith('/signup')) return null;
  return next;
}
