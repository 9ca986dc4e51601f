/** Wallboard colour thresholds from `GET /api/v1/settings/thresholds`, falling back to the defaults. */
import type { ThresholdsResponse } from '$contract/ui';
import { api } from './api';
import { withDefaults } from './thresholds';

/** The configured thresholds merged over the defaults (the defaults alone if the server has none). */
export async function loadThresholds(): Promise<ThresholdsResponse> {
  try {
    return withDefaults(await api<ThresholdsResponse>('/settings/thresholds'));
  } catch {
    return withDefaults(null);
  }
}
