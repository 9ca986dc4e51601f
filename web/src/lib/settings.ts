/** Wallboard colour thresholds from `GET /api/v1/settings/thresholds`. */
import type { ThresholdsResponse } from '$contract/ui';
import { api } from './api';
import { withDefaults } from './thresholds';

/**
 * How often a wallboard reads the thresholds again. Changes reach it at once as a `settings` push on
 * its live feed (also on every reconnect); this slow read only covers a push that went missing.
 */
export const THRESHOLDS_REFRESH_MS = 60_000;

/** The configured thresholds merged over the defaults, or null when they cannot be read now. */
export async function loadThresholds(): Promise<ThresholdsResponse | null> {
  try {
    return withDefaults(await api<ThresholdsResponse>('/settings/thresholds'));
  } catch {
    return null;
  }
}
