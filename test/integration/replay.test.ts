/** `npm run cli -- replay FILE`: backfill through the same validation and projection. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, inject } from 'vitest';
import { createKeys } from '../../server/store/keys.ts';
import { createRedisStore } from '../../server/store/redis-store.ts';
import { testConfig } from '../support/harness.ts';
import { simulatedEvents } from '../support/kafka.ts';
import { normalize, observe } from '../support/observe.ts';
import { reference } from '../support/reference.ts';
import { uniqueName } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

describe('replay command', () => {
  it('ingests an NDJSON file like live ingestion, reports bad lines, and applies a second replay once', async () => {
    const config = testConfig();
    const events = simulatedEvents(config, 3, 5);
    const lines = events.map((e) => JSON.stringify(e));
    lines.splice(10, 0, '{"broken json', '', JSON.stringify({ ...events[0], id: 'x', ts: 'not a time' }));
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const prefix = `${uniqueName('replay')}:`;
    const env = {
      ...process.env,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };
    const cli = () =>
      run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'replay', file], { cwd: ROOT, env });

    const first = await cli();
    expect(JSON.parse(first.stdout)).toEqual({
      lines: events.length + 2,
      applied: events.length,
      duplicates: 0,
      rejected: 2,
      alreadyApplied: 0,
    });
    expect(first.stderr).toMatch(/line 11: rejected: value is not JSON/);
    expect(first.stderr).toMatch(
      /line 13: rejected: invalid call\.\w+ event: ts: |line 13: rejected: invalid \S+ event: ts: /,
    );
    const second = await cli();
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: 0, alreadyApplied: events.length + 2 });

    const store = await createRedisStore({ url: inject('redisUrl'), prefix });
    const keys = createKeys(prefix);
    const ref = reference(events, config);
    expect(normalize(await observe(store, keys, Object.keys(ref.aggregates)))).toEqual(normalize(ref));
    await store.clear();
    await store.close();
  });

  it('explains its usage when the file is missing', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'replay'], {
      cwd: ROOT,
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/replay takes exactly one FILE/);
  });
});
