/**
 * Client start-up: takes a wallboard token out of the address bar before the router reads it, and on
 * /wallboard starts the live feed at once (see $lib/early-feed).
 */
import { startEarlyFeed } from '$lib/early-feed';
import { adoptTokenFromLocation } from '$lib/session';
import { parseWallboardParams } from './routes/wallboard/params';

export function init(): void {
  adoptTokenFromLocation();
  if (location.pathname === '/wallboard') {
    const { teams, queues } = parseWallboardParams(new URLSearchParams(location.search));
    startEarlyFeed({ teams, queues });
  }
}
