import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, mergeConfig } from './load.ts';

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'floorboard.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadConfig', () => {
  it('uses config/default.json when nothing else is given', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, timezone: 'Europe/Berlin', redis: { url: null } });
    expect(c.kafka.topics).toMatchObject({ calls: 'cc.calls', deadletter: 'cc.deadletter' });
    expect(c.sla.acceptMinutes).toEqual({ vip: 15, key: 30, normal: 30 });
  });

  it('merges the FLOORBOARD_CONFIG file over the defaults and environment variables over both', () => {
    const path = file({
      port: 4000,
      timezone: 'America/New_York',
      serviceLevel: { perQueue: { vip: { thresholdSeconds: 10 } } },
    });
    const c = loadConfig({
      FLOORBOARD_CONFIG: path,
      PORT: '5000',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      TOPIC_CALLS: 'calls.v1',
    });
    expect(c.port).toBe(5000);
    expect(c.timezone).toBe('America/New_York');
    expect(c.serviceLevel).toMatchObject({
      thresholdSeconds: 20,
      perQueue: { vip: { thresholdSeconds: 10 } },
    });
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.kafka.topics).toMatchObject({ calls: 'calls.v1', agents: 'cc.agents' });
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).http.trustProxy).toBe('10.0.0.0/8');
  });

  it('names every invalid setting', () => {
    const path = file({ timezone: 'Mars/Olympus', shifts: [{ name: 'x', start: '25:00', end: '07:00' }] });
    expect(() => loadConfig({ FLOORBOARD_CONFIG: path, PORT: 'abc' })).toThrow(
      /invalid configuration[\s\S]*port: [\s\S]*timezone: not an IANA time zone name[\s\S]*shifts\.0\.start: expected HH:MM/,
    );
  });

  it('says which file is unreadable or not JSON', () => {
    expect(() => loadConfig({ FLOORBOARD_CONFIG: '/nonexistent/x.json' })).toThrow(
      /cannot read config file \/nonexistent\/x.json/,
    );
    expect(() => loadConfig({ FLOORBOARD_CONFIG: file('{ nope') })).toThrow(/is not valid JSON/);
  });

  it('replaces arrays rather than merging them', () => {
    expect(mergeConfig({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: 4 } })).toEqual({
      a: [3],
      b: { c: 1, d: 4 },
    });
  });
});
