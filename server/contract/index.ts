/** The contract module: everything that crosses a boundary (Kafka events, REST and socket payloads). */
export * from './events.ts';
export * from './api.ts';
export * from './auth.ts';
export * from './commands.ts';
export * from './realtime.ts';
export * from './summary.ts';
