/** Structured JSON logs (pino). */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger. */
export function createLogger(level: string, name = 'floorboard'): Logger {
  return pino({ name, level, timestamp: pino.stdTimeFunctions.isoTime });
}
