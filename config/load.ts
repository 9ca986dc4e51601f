/** Loads configuration: config/default.json, then the FLOORBOARD_CONFIG file, then environment variables. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema, type Config } from './schema.ts';

export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('./default.json', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` into `base`: objects merge, everything else (arrays included) replaces. */
export function mergeConfig(base: Json, over: Json): Json {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k] ?? null, v) : v;
  return out;
}

function readJson(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The environment variables floorboard reads, with where each lands in the config. */
export const ENV_OVERRIDES: Record<string, (v: string) => Json> = {
  PORT: (v) => ({ port: Number(v) }),
  TRUST_PROXY: (v) => ({
    http: { trustProxy: v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v },
  }),
  FLOORBOARD_TIMEZONE: (v) => ({ timezone: v }),
  LOG_LEVEL: (v) => ({ logLevel: v }),
  REDIS_URL: (v) => ({ redis: { url: v } }),
  REDIS_KEY_PREFIX: (v) => ({ redis: { keyPrefix: v } }),
  KAFKA_BROKERS: (v) => ({
    kafka: {
      brokers: v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    },
  }),
  KAFKA_CLIENT_ID: (v) => ({ kafka: { clientId: v } }),
  KAFKA_GROUP_ID: (v) => ({ kafka: { groupId: v } }),
  KAFKA_SESSION_TIMEOUT_MS: (v) => ({ kafka: { sessionTimeoutMs: Number(v) } }),
  KAFKA_MAX_BYTES_PER_PARTITION: (v) => ({ kafka: { maxBytesPerPartition: Number(v) } }),
  TOPIC_CALLS: (v) => ({ kafka: { topics: { calls: v } } }),
  TOPIC_AGENTS: (v) => ({ kafka: { topics: { agents: v } } }),
  TOPIC_TICKETS: (v) => ({ kafka: { topics: { tickets: v } } }),
  TOPIC_SURVEYS: (v) => ({ kafka: { topics: { surveys: v } } }),
  TOPIC_DEADLETTER: (v) => ({ kafka: { topics: { deadletter: v } } }),
  TOPIC_COMMANDS: (v) => ({ kafka: { topics: { commands: v } } }),
  SIMULATOR: (v) => ({
    simulator: { enabled: v === 'auto' ? 'auto' : ['1', 'true', 'on', 'yes'].includes(v) },
  }),
  SIMULATOR_SPEED: (v) => ({ simulator: { speed: Number(v) } }),
};

/** Builds the effective configuration; throws an Error naming every invalid setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let merged = readJson(DEFAULT_CONFIG_PATH);
  const file = env.FLOORBOARD_CONFIG;
  if (file) merged = mergeConfig(merged, readJson(file));
  for (const [name, apply] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged = mergeConfig(merged, apply(v));
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid configuration${file ? ` (${file})` : ''}:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
