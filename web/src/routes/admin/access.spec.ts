import { describe, expect, it } from 'vitest';
import { parseWallboardParams } from '../wallboard/params';
import {
  chosenTeams,
  knownTeams,
  parseTeamList,
  teamsText,
  tvAddress,
  TOKEN_ROLES,
  USER_ROLES,
} from './access';

describe('team lists', () => {
  it('reads a comma-separated list without blanks and repeats, in order', () => {
    expect(parseTeamList(' sales, tech-support ,,sales, ')).toEqual(['sales', 'tech-support']);
    expect(parseTeamList('')).toEqual([]);
  });

  it('puts the ticked teams first and adds each typed one once', () => {
    expect(chosenTeams(['sales'], 'quality, sales')).toEqual(['sales', 'quality']);
  });

  it('collects the known teams from every source, sorted, without empty names', () => {
    expect(knownTeams(['tech-support', 'sales'], [null, 'sales', ' '], new Set(['billing']))).toEqual([
      'billing',
      'sales',
      'tech-support',
    ]);
  });

  it('says all teams for an unscoped user or token', () => {
    expect(teamsText([])).toBe('all teams');
    expect(teamsText(['sales', 'billing'])).toBe('sales, billing');
  });
});

describe('roles offered', () => {
  it('offers the metrics role to tokens only', () => {
    expect(USER_ROLES).not.toContain('metrics');
    expect(TOKEN_ROLES).toContain('metrics');
    expect(TOKEN_ROLES[0]).toBe('wallboard');
  });
});

describe('TV address of a wallboard token', () => {
  it('carries the token and the teams the wallboard reads back', () => {
    const url = tvAddress('http://tv.example:3000/', 'fbt_abc-DEF_1', ['sales', 'tech support']);
    expect(url).toBe('http://tv.example:3000/wallboard?token=fbt_abc-DEF_1&teams=sales,tech%20support');
    const q = new URL(url).searchParams;
    expect(q.get('token')).toBe('fbt_abc-DEF_1');
    expect(parseWallboardParams(q).teams).toEqual(['sales', 'tech support']);
  });

  it('names no teams for a floor-wide token', () => {
    expect(tvAddress('https://fb.example', 'fbt_x')).toBe('https://fb.example/wallboard?token=fbt_x');
  });
});
