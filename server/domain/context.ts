/** Builds the projector's context from configuration (pure). */
import type { Config, ServiceLevelSettings } from '../../config/schema.ts';
import type { ShiftCalendar } from './shifts.ts';
import type { ProjectionContext } from './working-set.ts';

/** Service-level settings for a queue: the defaults with the queue's overrides. */
export function serviceLevelFor(config: Pick<Config, 'serviceLevel'>, queue: string): ServiceLevelSettings {
  const { thresholdSeconds, shortAbandonSeconds, perQueue } = config.serviceLevel;
  return { thresholdSeconds, shortAbandonSeconds, ...perQueue[queue] };
}

/** A factory for projection contexts at a given processing time. */
export function projectionContextFactory(
  config: Config,
  calendar: ShiftCalendar,
): (now: number) => ProjectionContext {
  return (now) => ({
    calendar,
    sla: config.sla,
    serviceLevelFor: (queue) => serviceLevelFor(config, queue),
    teams: config.teams,
    retention: config.retention,
    now,
  });
}
