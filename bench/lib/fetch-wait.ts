/**
 * A benchmark-only shim for librdkafka's mock cluster. A real broker answers a fetch as soon as
 * `minBytes` (1) are available; the mock instead holds a fetch that finds nothing new for the whole
 * `maxWaitTimeInMs` and does not wake when data arrives. kafkajs defaults that to 5,000 ms and
 * floorboard's source (streams/kafka.ts) does not set it, so on the mock a caught-up consumer sees
 * new events up to 5 s late — an artefact of the mock, not of floorboard. While installed, kafkajs
 * consumers created without an explicit `maxWaitTimeInMs` get `ms` (default 25): the mock then
 * behaves like a real broker plus at most `ms` of extra delay per fetch.
 */
import { Kafka, type ConsumerConfig } from 'kafkajs';

/** The default extra fetch wait (ms) the shim allows. */
export const SHIM_MAX_WAIT_MS = 25;

const original = Kafka.prototype.consumer;
let installedMs: number | null = null;

/** Installs the shim in this process (idempotent; a later call changes `ms`). */
export function installFetchWaitShim(ms = SHIM_MAX_WAIT_MS): void {
  installedMs = ms;
  Kafka.prototype.consumer = function consumer(this: Kafka, config: ConsumerConfig) {
    return original.call(this, { maxWaitTimeInMs: installedMs ?? undefined, ...config });
  };
}

/** Restores kafkajs' own behaviour. */
export function uninstallFetchWaitShim(): void {
  installedMs = null;
  Kafka.prototype.consumer = original;
}

/** The wait the shim currently applies, or null when it is not installed. */
export function fetchWaitShim(): number | null {
  return installedMs;
}
