/** Wallboard colour thresholds from `GET /api/v1/settings/thresholds`. */
import type { ThresholdsResponse } from '$contract/ui';
import { api } from './api';
import { withDefaults } from './thresholds';

/**
 * How often a wallboard reads the thresholds again: admins change them at run time and expect TVs to
 * follow within seconds (the server instances themselves refresh every 5 s).
 */
export const THRESHOLDS_REFRESH_MS = 10_000;

/** The configured thresholds merged over the defaults, or null when they cannot be read now. */
export async function loadThresholds(): Promise<ThresholdsResponse | null> {
  try {
    return withDefaults(await api<ThresholdsResponse>('/settings/thresholds'));
  } catch {
    return null;
  }
}
