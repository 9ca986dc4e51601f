import { describe, expect, it } from 'vitest';
import type { LiveAgent } from '../contract/api.ts';
import { suggestAssignee } from './suggest.ts';

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
