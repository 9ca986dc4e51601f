/** Sign-in, sign-out and "who am I" against /api/v1/auth. */
import type { AuthResponse, LoginRequest, Principal } from '$contract/auth';
import { api, ApiError, type Fetch } from './api';
import { clearSessionToken } from './session';

/** The signed-in principal (cookie session or tab token), or null when nobody is signed in. */
export async function whoAmI(fetch?: Fetch): Promise<Principal | null> {
  try {
    const r = await api<AuthResponse>('/auth/me', { fetch });
    return r.principal;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      clearSessionToken(); // a revoked or expired token: fall back to the sign-in form
      return null;
    }
    throw err;
  }
}

/** Signs in; throws ApiError (401 wrong credentials, 429 too many attempts, 400 invalid). */
export async function login(body: LoginRequest): Promise<Principal> {
  const r = await api<AuthResponse>('/auth/login', { method: 'POST', body });
  return r.principal;
}

/** Signs out (drops the cookie session and the tab token). */
export async function logout(): Promise<void> {
  clearSessionToken();
  try {
    await api<void>('/auth/logout', { method: 'POST' });
  } catch {
    // already signed out or unreachable: the local state is cleared either way
  }
}
