/** Builds the projector's context from configuration (pure). */
import type { Config, ServiceLevelSettings } from '../../config/schema.ts';
import type { ShiftCalendar } from './shifts.ts';
import type { ProjectionContext } from './working-set.ts';

/** Service-level settings for a queue: the defaults with the queue's overrides. */
export function serviceLevelFor(config: Pick<Config, 'serviceLevel'>, queue: string): ServiceLevelSettings {
  const { thresholdSeconds, shortAbandonSeconds, perQueue } = config.serviceLevel;
  return { thresholdSeconds, shortAbandonSeconds, ...perQueue[queue] };
}

/** A factory for projection contexts at a given processing time; `policy` gives the SLA policy and
 * team mapping in force (admins may change them at run time). */
export function projectionContextFactory(
  config: Config,
  calendar: ShiftCalendar,
  policy: () => Pick<Config, 'sla' | 'teams'> = () => config,
): (now: number) => ProjectionContext {
  return (now) => {
    const { sla, teams } = policy();
    return {
      calendar,
      sla,
      serviceLevelFor: (queue) => serviceLevelFor(config, queue),
      teams,
      retention: config.retention,
      now,
    };
  };
}
