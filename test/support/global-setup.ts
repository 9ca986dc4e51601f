/**
 * vitest globalSetup for the `integration` project. Uses REDIS_URL / KAFKA_BROKERS when the environment
 * provides them (CI starts shared services once); otherwise starts a throwaway redis-server and a kcat
 * mock broker for this run and stops them at teardown. Tests read the addresses with `inject()`.
 */
import type { TestProject } from 'vitest/node';
import { startMockBroker, startRedisServer } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    kafkaBrokers: string;
  }
}

function fromEnv(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Provides `redisUrl` and `kafkaBrokers` to the project and returns the teardown for what it started. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const teardown = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let redisUrl = fromEnv('REDIS_URL');
    if (redisUrl === undefined) {
      const redis = await startRedisServer();
      stops.push(() => redis.stop());
      redisUrl = redis.url;
      console.log(`[integration] REDIS_URL not set: started a throwaway redis-server at ${redisUrl}`);
    }

    let kafkaBrokers = fromEnv('KAFKA_BROKERS');
    if (kafkaBrokers === undefined) {
      const broker = await startMockBroker();
      stops.push(() => broker.stop());
      kafkaBrokers = broker.brokers;
      console.log(
        `[integration] KAFKA_BROKERS not set: started a kcat mock Kafka cluster at ${kafkaBrokers}`,
      );
    }

    project.provide('redisUrl', redisUrl);
    project.provide('kafkaBrokers', kafkaBrokers);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
