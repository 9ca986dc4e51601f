/** Client start-up: takes a wallboard token out of the address bar before the router reads it. */
import { adoptTokenFromLocation } from '$lib/session';

export function init(): void {
  adoptTokenFromLocation();
}
