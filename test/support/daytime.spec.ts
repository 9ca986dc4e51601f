import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { daytimeZone } from './daytime.ts';

describe('daytimeZone', () => {
  it('finds a zone where it is between 09:00 and 13:00 at every hour of a day', () => {
    const start = Date.parse('2026-03-29T00:00:00Z');
    for (let h = 0; h < 48; h++) {
      const now = start + h * 1_800_000;
      const local = DateTime.fromMillis(now, { zone: daytimeZone(now) });
      expect(local.hour, `at ${new Date(now).toISOString()}`).toBeGreaterThanOrEqual(9);
      expect(local.hour).toBeLessThan(13);
    }
  });
});
