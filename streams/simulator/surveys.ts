/** Customer surveys after some calls and tickets: mostly 4–5, with a tail of unhappy customers. */
import type { SurveySubmitted } from '../../server/contract/events.ts';
import type { Rng } from './random.ts';
import type { World } from './world.ts';

const MINUTE = 60_000;

type Scores = SurveySubmitted['scores'];

const clamp = (n: number): number => Math.min(5, Math.max(1, n));

/** Survey scores; `speedPenalty`/`resolutionPenalty` lower those dimensions (long wait, reopened ticket). */
export function drawScores(rng: Rng, speedPenalty = 0, resolutionPenalty = 0): Scores {
  const mood = rng.weighted([
    ['happy', 0.64],
    ['neutral', 0.23],
    ['unhappy', 0.13],
  ] as const);
  const one = (): number =>
    mood === 'happy'
      ? rng.chance(0.62)
        ? 5
        : 4
      : mood === 'neutral'
        ? rng.weighted([
            [2, 0.1],
            [3, 0.45],
            [4, 0.4],
            [5, 0.05],
          ])
        : rng.weighted([
            [1, 0.35],
            [2, 0.4],
            [3, 0.25],
          ]);
  return {
    speed: clamp(one() - speedPenalty),
    resolution: clamp(one() - resolutionPenalty),
    professionalism: clamp(Math.max(one(), one())),
    recommend: clamp(one() - (speedPenalty + resolutionPenalty > 1 ? 1 : 0)),
  };
}

/** Schedules surveys after calls and tickets. */
export interface Surveys {
  afterCall(callId: string, agentId: string, waitedMs: number): void;
  afterTicket(ticketId: string, agentId: string | null, reopened: boolean): void;
}

/** Creates the survey source. */
export function createSurveys(world: World): Surveys {
  const { rng } = world;
  return {
    afterCall(callId, agentId, waitedMs) {
      if (!rng.chance(0.22)) return;
      const penalty = waitedMs > 120_000 ? 2 : waitedMs > 45_000 ? 1 : 0;
      const scores = drawScores(rng, penalty, 0);
      world.at(world.now + rng.int(1, 20) * MINUTE, () =>
        world.emit({ type: 'survey.submitted', surveyId: world.newId('srv'), callId, agentId, scores }),
      );
    },
    afterTicket(ticketId, agentId, reopened) {
      if (!rng.chance(0.3)) return;
      const scores = drawScores(rng, 0, reopened ? 1 : 0);
      world.at(world.now + rng.int(10, 180) * MINUTE, () =>
        world.emit({
          type: 'survey.submitted',
          surveyId: world.newId('srv'),
          ticketId,
          ...(agentId ? { agentId } : {}),
          scores,
        }),
      );
    },
  };
}
