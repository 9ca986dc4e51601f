import { describe, expect, it } from 'vitest';
import type { LiveAgent } from '../contract/api.ts';
import { assigneeSuggester, suggestAssignee } from './suggest.ts';

function agent(agentId: string, o: Partial<LiveAgent> = {}): LiveAgent {
  return {
    agentId,
    name: agentId,
    team: 'sales',
    state: 'available',
    since: 0,
    reason: null,
    activeCallId: null,
    openTickets: { high: 0, medium: 0, low: 0 },
    overdueTickets: 0,
    handled: 0,
    talkSeconds: 0,
    wrapSeconds: 0,
    ...o,
  };
}

describe('suggestAssignee', () => {
  it('picks the least-loaded working agent of the owning team', () => {
    const agents = [
      agent('a1', { openTickets: { high: 0, medium: 2, low: 0 } }),
      agent('a2', { openTickets: { high: 0, medium: 1, low: 0 } }),
      agent('a3', { state: 'offline' }),
      agent('a4', { team: 'tech-support' }),
    ];
    expect(suggestAssignee(agents, 'sales')).toBe('a2');
    expect(suggestAssignee(agents, 'tech-support')).toBe('a4');
    expect(suggestAssignee(agents, 'supervisors')).toBeNull();
  });

  it('breaks ties by overdue count, then high priority, then who is not on a call, then id', () => {
    const one = { high: 1, medium: 0, low: 0 };
    expect(
      suggestAssignee(
        [agent('b', { openTickets: one }), agent('a', { openTickets: one, overdueTickets: 1 })],
        'sales',
      ),
    ).toBe('b');
    expect(
      suggestAssignee(
        [agent('a', { openTickets: one }), agent('b', { openTickets: { high: 0, medium: 1, low: 0 } })],
        'sales',
      ),
    ).toBe('b');
    expect(suggestAssignee([agent('a', { state: 'on_call' }), agent('b')], 'sales')).toBe('b');
    expect(suggestAssignee([agent('b'), agent('a')], 'sales')).toBe('a');
  });

  it('never suggests the current owner', () => {
    expect(
      suggestAssignee(
        [agent('a'), agent('b', { openTickets: { high: 0, medium: 0, low: 1 } })],
        'sales',
        'a',
      ),
    ).toBe('b');
  });
});

describe('assigneeSuggester', () => {
  it('suggests what suggestAssignee does, for every team and owner, on random floors', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const teams = ['sales', 'tech-support', 'supervisors'];
    const states = ['available', 'on_call', 'wrap_up', 'break', 'offline'] as const;
    for (let floor = 0; floor < 200; floor++) {
      const n = rand(12);
      const agents = Array.from({ length: n }, (_, i) =>
        agent(`a${rand(30)}-${i}`, {
          team: rand(8) === 0 ? null : (teams[rand(3)] ?? null),
          state: states[rand(5)] ?? 'available',
          // Small numbers, so that ties go deep into the ordering.
          openTickets: { high: rand(2), medium: rand(2), low: rand(2) },
          overdueTickets: rand(2),
        }),
      );
      const suggest = assigneeSuggester(agents);
      for (const team of [...teams, 'nobody', null])
        for (const exclude of [undefined, null, 'x', ...agents.map((a) => a.agentId)])
          expect(suggest(team, exclude)).toBe(suggestAssignee(agents, team, exclude));
    }
  });
});
