import { describe, expect, it } from 'vitest';
import { RedWatch } from './red-watch';

const m = (entries: Array<[string, boolean]>) => new Map(entries);

describe('red tile watch', () => {
  it('reports nothing before it is armed, and nothing it saw red from the start', () => {
    const w = new RedWatch();
    expect(w.update(m([['sales', false]]))).toEqual([]);
    expect(w.update(m([['sales', true]]))).toEqual([]);
    w.arm();
    expect(
      w.update(
        m([
          ['sales', true],
          ['support', true],
        ]),
      ),
    ).toEqual([]);
  });

  it('reports a tile that turns red once, and again after it recovered', () => {
    const w = new RedWatch();
    w.arm();
    expect(
      w.update(
        m([
          ['sales', false],
          ['support', true],
        ]),
      ),
    ).toEqual([]);
    expect(
      w.update(
        m([
          ['sales', true],
          ['support', true],
        ]),
      ),
    ).toEqual(['sales']);
    expect(w.update(m([['sales', true]]))).toEqual([]);
    expect(w.update(m([['sales', false]]))).toEqual([]);
    expect(w.update(m([['sales', true]]))).toEqual(['sales']);
  });

  it('does not count a change seen before arming (the defaults were in force)', () => {
    const w = new RedWatch();
    w.update(m([['sales', false]]));
    w.arm();
    // With the configured thresholds the tile is red from the start: no alarm.
    expect(w.update(m([['sales', true]]))).toEqual([]);
  });
});
