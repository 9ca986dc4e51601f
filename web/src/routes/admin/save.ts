/** Saves one section of the run-time settings (`PUT /api/v1/settings`) and explains a refusal. */
import type { SettingsResponse } from '$contract/ui';
import { api, ApiError } from '$lib/api';
import { serverFieldErrors, type FieldErrors } from './settings-form';

/** What a form says after saving: saved, or why not. */
export type SaveStatus = { kind: 'ok' | 'error'; text: string } | null;

export type SaveOutcome =
  { ok: true; settings: SettingsResponse } | { ok: false; errors: FieldErrors; message: string };

/** PUTs `body`; a 400's messages go to the `fields` they name, and the whole message is kept too. */
export async function putSettings(
  body: Partial<Omit<SettingsResponse, 'overridden'>>,
  fields: ReadonlySet<string>,
): Promise<SaveOutcome> {
  try {
    return { ok: true, settings: await api<SettingsResponse>('/settings', { method: 'PUT', body }) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) {
      return {
        ok: false,
        errors: serverFieldErrors(err.message, fields).errors,
        message: `The server refused the change: ${err.message}`,
      };
    }
    return {
      ok: false,
      errors: {},
      message: `Not saved: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
