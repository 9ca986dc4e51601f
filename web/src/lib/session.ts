/**
 * The wallboard token (`/wallboard?token=fbt_…`). It is moved into sessionStorage and removed from the
 * address bar (and so from history, bookmarks and screenshots) before the app starts; REST requests
 * send it as `Authorization: Bearer` and the Socket.IO handshake as `auth.token`.
 */
const TOKEN_KEY = 'floorboard.token';

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage disabled (private mode policies)
  }
}

/** Moves `?token=` from the current URL into sessionStorage and rewrites the URL without it. */
export function adoptTokenFromLocation(): void {
  if (typeof location === 'undefined') return;
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  url.searchParams.delete('token');
  if (token.trim() !== '') storage()?.setItem(TOKEN_KEY, token.trim());
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

/** The token this tab signed in with, if any. */
export function sessionToken(): string | null {
  return storage()?.getItem(TOKEN_KEY) ?? null;
}

/** Forgets the tab's token (sign-out). */
export function clearSessionToken(): void {
  storage()?.removeItem(TOKEN_KEY);
}
