/** The Socket.IO Redis adapter between instances (pub/sub on the Redis the store uses). */
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { redactRedisUrl } from '../store/redis-store.ts';
import type { HubLog, RealtimeServer } from './hub-types.ts';

/** Connects the Socket.IO Redis adapter with a pub and a duplicated sub client; returns both. */
export async function attachRedisAdapter(
  io: RealtimeServer,
  url: string,
  key: string,
  log: HubLog,
): Promise<Redis[]> {
  // Commands wait for a reconnect rather than fail: the adapter publishes without catching errors.
  const pub = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  const sub = pub.duplicate();
  const clients = [pub, sub];
  for (const c of clients) {
    let down = false;
    c.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message }, 'Socket.IO adapter lost Redis; reconnecting');
      down = true;
    });
    c.on('ready', () => (down = false));
  }
  try {
    await Promise.all(clients.map((c) => c.connect()));
    io.adapter(createAdapter(pub, sub, { key }));
    await sub.ping(); // replies after the adapter's SUBSCRIBEs: other instances now reach this one
  } catch (err) {
    for (const c of clients) c.disconnect();
    throw new Error(
      `cannot connect the Socket.IO Redis adapter to ${redactRedisUrl(url)}: ${(err as Error).message}`,
    );
  }
  return clients;
}
