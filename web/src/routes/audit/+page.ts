/** Loads audit log entries for the filters in the address (from, to, actor, action, limit). */
import type { AuditListResponse } from '$contract/auth';
import { api, apiUrl } from '$lib/api';
import { FILTER_KEYS, type AuditFilters } from './filters';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const filters = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, url.searchParams.get(k) ?? '']),
  ) as AuditFilters;
  if (filters.limit === '') filters.limit = '200';
  try {
    const r = await api<AuditListResponse>(apiUrl('/audit', filters).slice('/api/v1'.length), { fetch });
    return { filters, entries: r.entries, error: null };
  } catch (err) {
    return { filters, entries: [], error: err instanceof Error ? err.message : String(err) };
  }
};
