import { describe, expect, it } from 'vitest';
import { boardTitle, parseWallboardParams, teamShown } from './params';

const parse = (q: string) => parseWallboardParams(new URLSearchParams(q));

describe('wallboard parameters', () => {
  it('shows the overview of everything by default', () => {
    expect(parse('')).toEqual({
      teams: [],
      queues: [],
      views: ['overview'],
      rotateSeconds: null,
      pageSeconds: 12,
      sound: false,
    });
  });

  it('reads teams, queues and sound', () => {
    const p = parse('teams=sales&queues=sales,billing,,sales&sound=1');
    expect(p.teams).toEqual(['sales']);
    expect(p.queues).toEqual(['sales', 'billing']);
    expect(p.sound).toBe(true);
  });

  it('rotates between the big views when asked to', () => {
    const p = parse('rotate=20');
    expect(p.views).toEqual(['queues', 'agents', 'tickets']);
    expect(p.rotateSeconds).toBe(20);
  });

  it('clamps the rotation period and ignores nonsense', () => {
    expect(parse('rotate=1').rotateSeconds).toBe(5);
    expect(parse('rotate=abc').rotateSeconds).toBeNull();
  });

  it('pins one view without rotation and ignores unknown views', () => {
    expect(parse('view=agents')).toMatchObject({ views: ['agents'], rotateSeconds: null });
    expect(parse('views=bogus,tickets&rotate=10')).toMatchObject({ views: ['tickets'], rotateSeconds: null });
  });

  it('filters teams only when some are named', () => {
    expect(teamShown([], null)).toBe(true);
    expect(teamShown(['sales'], 'sales')).toBe(true);
    expect(teamShown(['sales'], null)).toBe(false);
  });

  it('titles the board with the view the server resolved, else with the address', () => {
    const up = (s: string) => s.toUpperCase();
    const none = { teams: [], queues: [] };
    expect(boardTitle(null, none, up)).toBe('All teams');
    // A sales token opened without ?teams= sees sales only: the server's view says so.
    expect(boardTitle({ teams: ['sales'], queues: [] }, none, up)).toBe('SALES');
    expect(boardTitle(null, { teams: [], queues: ['sales', 'billing'] }, up)).toBe('SALES · BILLING');
    expect(boardTitle({ teams: [], queues: ['billing'] }, { teams: [], queues: ['billing'] }, up)).toBe(
      'BILLING',
    );
  });
});
