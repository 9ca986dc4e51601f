/**
 * A TV opening /wallboard starts its live feed at app start-up, while the layout still asks the server
 * who is signed in, rather than after: the board shows live numbers sooner (budget: first render
 * within 1 s). The wallboard page claims the feed; one nobody claims (the viewer was sent to the
 * sign-in page) is closed.
 */
import { socketFeed } from './feed';
import { LiveState } from './live.svelte';

/** How long an unclaimed feed stays open. */
const CLAIM_WITHIN_MS = 15_000;

let early: { key: string; live: LiveState; stop: () => void } | null = null;

const keyOf = (scope: { teams: string[]; queues: string[] }) => JSON.stringify([scope.teams, scope.queues]);

/** Starts the feed for `scope` now (only once, at start-up). */
export function startEarlyFeed(scope: { teams: string[]; queues: string[] }): void {
  if (early !== null) return;
  const live = new LiveState(socketFeed(scope));
  const stopFeed = live.listen();
  const timer = setTimeout(() => {
    // Claimed meanwhile: the page owns it now and stops it when it goes.
    if (early?.live !== live) return;
    early = null;
    stopFeed();
  }, CLAIM_WITHIN_MS);
  early = {
    key: keyOf(scope),
    live,
    stop: () => {
      clearTimeout(timer);
      stopFeed();
    },
  };
}

/**
 * The early feed for `scope`, if one is running, with its stop function (the caller owns it from
 * now on); null otherwise.
 */
export function claimEarlyFeed(scope: {
  teams: string[];
  queues: string[];
}): { live: LiveState; stop: () => void } | null {
  const e = early;
  early = null;
  if (e === null) return null;
  if (e.key !== keyOf(scope)) {
    e.stop();
    return null;
  }
  return e;
}
