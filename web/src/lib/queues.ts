/** Per-queue figures and their colours at a given server time (pure). */
import type { LiveQueue } from '$contract/api';
import type { ThresholdsResponse } from '$contract/ui';
import { levelOf, worst, type Level } from './thresholds';

export interface QueueView {
  q: LiveQueue;
  /** Longest current wait, seconds (0 when nobody waits). */
  wait: number;
  lv: { waiting: Level; wait: Level; sl: Level; abandon: Level };
  overall: Level;
}

/** The queue as the wallboard shows it at `serverNow`. */
export function queueView(q: LiveQueue, serverNow: number, t: ThresholdsResponse): QueueView {
  const wait = q.oldestQueuedAt === null ? 0 : Math.max(0, (serverNow - q.oldestQueuedAt) / 1000);
  const lv = {
    waiting: levelOf(t, 'waiting', q.waiting, q.queue),
    wait: levelOf(t, 'longestWaitSeconds', wait, q.queue),
    sl: levelOf(t, 'serviceLevel', q.shift.serviceLevel, q.queue),
    abandon: levelOf(t, 'abandonRate', q.shift.abandonRate, q.queue),
  };
  return { q, wait, lv, overall: worst(lv.waiting, lv.wait, lv.sl, lv.abandon) };
}
