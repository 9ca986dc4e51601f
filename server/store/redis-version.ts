/** The Redis versions floorboard can use, read from the server's INFO. */

/** SMISMEMBER, ZRANGE … BYSCORE and SET … PXAT need Redis 6.2. */
export const MIN_REDIS_VERSION = '6.2.0';

/** Raised when the server is older than MIN_REDIS_VERSION. */
export class RedisVersionError extends Error {
  constructor(
    readonly version: string,
    where: string,
  ) {
    super(
      `Redis at ${where} is version ${version}; floorboard needs Redis ${MIN_REDIS_VERSION} or newer ` +
        '(SMISMEMBER, ZRANGE BYSCORE, SET PXAT). Upgrade Redis.',
    );
  }
}

/** The `redis_version` of an INFO reply, or null. */
export function redisVersionOf(info: string): string | null {
  return /^redis_version:([^\r\n]+)/m.exec(info)?.[1]?.trim() ?? null;
}

/** Whether `version` (x.y.z) is at least MIN_REDIS_VERSION. */
export function redisVersionSupported(version: string): boolean {
  const have = version.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const need = MIN_REDIS_VERSION.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h !== n) return h > n;
  }
  return true;
}
