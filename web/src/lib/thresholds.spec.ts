import { describe, expect, it } from 'vitest';
import { levelOf, withDefaults, worst } from './thresholds';

const t = withDefaults({
  serviceLevel: { amber: 0.8, red: 0.7 },
  longestWaitSeconds: { amber: 60, red: 120, critical: 300 },
  perQueue: { vip: { longestWaitSeconds: { amber: 10, red: 20 } } },
});

describe('threshold levels', () => {
  it('colours a higher-is-better metric below its limits', () => {
    expect(levelOf(t, 'serviceLevel', 0.85)).toBe('ok');
    expect(levelOf(t, 'serviceLevel', 0.75)).toBe('amber');
    expect(levelOf(t, 'serviceLevel', 0.5)).toBe('red');
  });

  it('colours a lower-is-better metric at or above its limits, up to critical', () => {
    expect(levelOf(t, 'longestWaitSeconds', 59)).toBe('ok');
    expect(levelOf(t, 'longestWaitSeconds', 60)).toBe('amber');
    expect(levelOf(t, 'longestWaitSeconds', 120)).toBe('red');
    expect(levelOf(t, 'longestWaitSeconds', 301)).toBe('critical');
  });

  it('uses a queue override over the default', () => {
    expect(levelOf(t, 'longestWaitSeconds', 15, 'vip')).toBe('amber');
    expect(levelOf(t, 'longestWaitSeconds', 15, 'sales')).toBe('ok');
  });

  it('has no colour without a value', () => {
    expect(levelOf(t, 'serviceLevel', null)).toBe('none');
  });

  it('picks the worst level', () => {
    expect(worst('ok', 'red', 'amber')).toBe('red');
    expect(worst()).toBe('none');
  });
});
