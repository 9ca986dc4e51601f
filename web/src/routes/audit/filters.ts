/** The audit page's filters, as in the address and the API query. */
export const FILTER_KEYS = ['from', 'to', 'actor', 'action', 'limit'] as const;
export type AuditFilters = Record<(typeof FILTER_KEYS)[number], string>;
