/**
 * `npm run simulate -- --brokers HOST:PORT` against the broker: it backfills a simulated day, goes on
 * in real time, stops cleanly on SIGTERM, and what it published is on the configured topics — every
 * event type, each message valid against the contract, on its topic, keyed by its entity.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, TOPIC_ROLES, entityKeyOf } from '../../server/contract/events.ts';
import { decodeMessage } from '../../server/domain/decode.ts';
import { daytimeZone } from '../support/daytime.ts';
import { envFor, isolatedConfig, readAll, waitUntil } from '../support/kafka.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | null = null;
afterAll(() => {
  // npm, tsx and node run in a process group of their own: end all of them.
  if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
});

describe('npm run simulate', () => {
  it('publishes events of every type, valid against the contract, to the configured topics', async () => {
    const config = isolatedConfig('simulate');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(envFor(config)))
      if (name.startsWith('TOPIC_')) env[name] = value;
    delete env.KAFKA_BROKERS; // the brokers come from --brokers alone
    // A whole day from 24 h ago, where it is late morning now: every event type occurs in it.
    const start = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const args = ['run', 'simulate', '--', '--brokers', config.kafka.brokers.join(','), '--start', start];
    const proc = spawn('npm', [...args, '--timezone', daytimeZone(), '--seed', '7'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

    // Caught up with the wall clock: it says so in its progress line (every 5 s).
    await waitUntil(
      'the simulator to catch up and run live',
      async () => / · live\b/.test(output),
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its output:\n${output.slice(-3000)}`);
    });
    // Ctrl-C or a service manager's stop: the whole process group gets the signal.
    process.kill(-(proc.pid ?? 0), 'SIGTERM');
    await exited;
    await waitUntil('the simulator to finish', async () => /done, \d+ events published/.test(output), 20_000);
    expect(output).toContain('stopping (SIGTERM)');
    const published = Number(/done, (\d+) events published/.exec(output)?.[1] ?? NaN);
    expect(published, output.slice(-3000)).toBeGreaterThan(5000);

    const types = new Set<string>();
    let total = 0;
    const invalid: string[] = [];
    for (const role of TOPIC_ROLES) {
      for (const m of await readAll(config, config.kafka.topics[role])) {
        total++;
        const d = decodeMessage(m.value, {
          maxBytes: config.ingest.maxMessageBytes,
          topicRole: role,
          key: m.key,
        });
        if (!d.ok) invalid.push(`${role}: ${d.reason}`);
        else {
          types.add(d.event.type);
          if (m.key?.toString() !== entityKeyOf(d.event))
            invalid.push(`${role}: ${d.event.id} keyed ${String(m.key)}`);
        }
      }
    }
    expect(invalid.slice(0, 10)).toEqual([]);
    expect(total).toBe(published);
    expect([...types].sort()).toEqual([...EVENT_TYPES].sort());
  }, 180_000);
});
