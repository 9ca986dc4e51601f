/** Raw message bytes → a contract event, or a readable reason to dead-letter it (pure). */
import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  entityKeyOf,
  topicRoleOf,
  type CcEvent,
  type EventType,
  type TopicRole,
} from '../contract/events.ts';

export type Decoded = { ok: true; event: CcEvent } | { ok: false; reason: string };

export interface DecodeOptions {
  maxBytes: number;
  /** The role of the topic the message came from; null when unknown (a replay file). */
  topicRole: TopicRole | null;
  key?: Buffer | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isEventType(t: unknown): t is EventType {
  return typeof t === 'string' && Object.hasOwn(EVENT_SCHEMAS, t);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Decodes and validates one message against the contract. Never throws. */
export function decodeMessage(value: Buffer | null, opts: DecodeOptions): Decoded {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message: no value' };
  if (value.length > opts.maxBytes) {
    return { ok: false, reason: `message is ${value.length} bytes; the limit is ${opts.maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: 'value is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `value is not JSON: ${(err as Error).message}` };
  }
  return validateEvent(json, opts);
}

/** Validates an already-parsed JSON value as a contract event. */
export function validateEvent(json: unknown, opts: Omit<DecodeOptions, 'maxBytes'>): Decoded {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: `value is ${describeValue(json)}, expected a JSON object` };
  }
  const type = (json as { type?: unknown }).type;
  if (type === undefined) return { ok: false, reason: 'missing field: type' };
  if (!isEventType(type)) {
    return {
      ok: false,
      reason: `unknown event type ${JSON.stringify(type).slice(0, 100)}; expected one of ${EVENT_TYPES.join(', ')}`,
    };
  }
  const parsed = EVENT_SCHEMAS[type].safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : '(event)'}: ${i.message}`);
    return { ok: false, reason: `invalid ${type} event: ${problems.join('; ')}` };
  }
  const event = parsed.data as CcEvent;
  if (opts.topicRole !== null && topicRoleOf(type) !== opts.topicRole) {
    return { ok: false, reason: `${type} does not belong on the ${opts.topicRole} topic` };
  }
  if (opts.key) {
    const key = opts.key.toString('utf8');
    const expected = entityKeyOf(event);
    if (key !== expected) {
      return {
        ok: false,
        reason: `message key ${JSON.stringify(key)} is not the entity id ${JSON.stringify(expected)}`,
      };
    }
  }
  return { ok: true, event };
}
