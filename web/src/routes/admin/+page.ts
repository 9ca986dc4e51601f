/**
 * Loads what the admin page edits: users, tokens and the run-time settings, each on its own (one that
 * fails is reported in its section), and the live floor for the names of queues and teams it offers.
 */
import type { LiveSnapshot } from '$contract/api';
import type { TokensResponse, UsersResponse } from '$contract/auth';
import type { SettingsResponse } from '$contract/ui';
import { api, type Fetch } from '$lib/api';
import type { PageLoad } from './$types';

type Loaded<T> = { value: T; error: null } | { value: null; error: string };

async function attempt<T>(path: string, fetch: Fetch): Promise<Loaded<T>> {
  try {
    return { value: await api<T>(path, { fetch }), error: null };
  } catch (err) {
    return { value: null, error: err instanceof Error ? err.message : String(err) };
  }
}

export const load: PageLoad = async ({ fetch }) => {
  const [users, tokens, settings, live] = await Promise.all([
    attempt<UsersResponse>('/admin/users', fetch),
    attempt<TokensResponse>('/admin/tokens', fetch),
    attempt<SettingsResponse>('/settings', fetch),
    attempt<LiveSnapshot>('/live', fetch),
  ]);
  return {
    users,
    tokens,
    settings,
    queues: live.value?.queues.map((q) => q.queue) ?? [],
    floorTeams: live.value?.agents.map((a) => a.team) ?? [],
    timezone: live.value?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
};
