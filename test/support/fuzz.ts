/**
 * Seeded fuzzing for the fault suite (test/integration/fuzz-*.test.ts): the run's seed, random and
 * hostile JSON, a mutator that turns contract events into malformed (or harmlessly odd) Kafka
 * messages, and a bounded-concurrency helper. Every choice is drawn from one seeded Rng, so a seed
 * reproduces a run's choices (FUZZ_SEED=… overrides the default to explore or to reproduce).
 */
import type { z } from 'zod';
import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  SURVEY_DIMENSIONS,
  TOPIC_ROLES,
  entityKeyOf,
  topicRoleOf,
  type CcEvent,
  type SurveySubmitted,
  type TopicRole,
} from '../../server/contract/events.ts';
import { createRng, type Rng } from '../../streams/simulator/random.ts';
import { ev } from './events.ts';

export { createRng, type Rng };

/** The seed of this run: FUZZ_SEED when set, else the suite's fixed default (CI stays deterministic). */
export function fuzzSeed(fallback: number): number {
  const raw = process.env.FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return fallback;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer, not ${JSON.stringify(raw)}`);
  return seed >>> 0;
}

/** What to print when a fuzz test fails: the seed and how to rerun with it. */
export function reproduceWith(seed: number, file: string): string {
  return `fuzz seed ${seed}; reproduce with: FUZZ_SEED=${seed} npx vitest run --project integration ${file}`;
}

/** Runs `fn` over `items`, at most `size` at a time, and returns the results in order. */
export async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

/** Keys that break naive object handling (prototype pollution and friends). */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Strings that have broken parsers, key builders, shells, templates and renderers before. */
export const HOSTILE_STRINGS: readonly string[] = [
  ...PROTO_KEYS,
  '',
  ' ',
  '\t\r\n',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e400',
  'true',
  '[]',
  '{}',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u200B',
  '\u202Eevil',
  '\uD800',
  '\uDFFFx',
  '😀',
  '👨‍👩‍👧‍👦',
  'Z̸̧̛a̷l̴g̶o',
  'مرحبا',
  '日本語',
  'İı',
  '<script>alert(1)</script>',
  '"; DROP TABLE users; --',
  "' OR '1'='1",
  '${7*7}{{7*7}}',
  '%s%n%x',
  '%00',
  '%zz',
  '../../etc/passwd',
  '..\\..\\windows',
  'a:b:c',
  '*?[a-z]',
  'fbt_',
  'Bearer x',
  '\\u0000',
];

const NUMBER_TEXTS =
  '0 -0 1 -1 2 0.5 1e308 -1e308 1e400 -1e400 5e-324 9007199254740993 1E2 4.000000000000001'.split(' ');

const CODE_POINTS: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0xa0, 0x2ff],
  [0x400, 0x4ff],
  [0x4e00, 0x9fff],
  [0xd800, 0xdfff], // lone surrogates
  [0xfff0, 0xffff],
  [0x1f300, 0x1faff],
];

/** A random string: a hostile classic, random code points (astral, lone surrogates) or a long run. */
export function randomString(rng: Rng, maxLength = 300): string {
  switch (rng.int(0, 3)) {
    case 0:
      return rng.pick(HOSTILE_STRINGS);
    case 1: {
      let s = '';
      for (let n = rng.int(1, Math.min(40, maxLength)); n > 0; n--) {
        const [lo, hi] = rng.pick(CODE_POINTS);
        s += String.fromCodePoint(rng.int(lo, hi));
      }
      return s;
    }
    case 2:
      return rng.pick(['x', 'é', '€', '😀', ' ', '%']).repeat(rng.int(1, Math.max(1, maxLength >> 1)));
    default:
      return Math.floor(rng.next() * 2 ** 52).toString(36);
  }
}

function scalarText(rng: Rng): string {
  switch (rng.int(0, 4)) {
    case 0:
      return 'null';
    case 1:
      return rng.pick(['true', 'false']);
    case 2:
      return rng.pick(NUMBER_TEXTS);
    case 3:
      return String(rng.int(-1_000_000, 1_000_000));
    default:
      return JSON.stringify(randomString(rng));
  }
}

/** JSON text of a random value; objects may carry `__proto__`, `constructor`… keys and repeated keys. */
export function randomJsonText(rng: Rng, depth = 3): string {
  const r = rng.next();
  if (depth <= 0 || r < 0.45) return scalarText(rng);
  if (r < 0.7) {
    return `[${Array.from({ length: rng.int(0, 4) }, () => randomJsonText(rng, depth - 1)).join(',')}]`;
  }
  const entries = Array.from({ length: rng.int(0, 5) }, () => {
    const key = rng.chance(0.3) ? rng.pick(PROTO_KEYS) : randomString(rng, 20);
    return `${JSON.stringify(key)}:${randomJsonText(rng, depth - 1)}`;
  });
  return `{${entries.join(',')}}`;
}

/** A random JSON value as JSON.parse makes it (own `__proto__` properties included). */
export function randomJson(rng: Rng, depth = 3): unknown {
  return JSON.parse(randomJsonText(rng, depth));
}

/** `depth` levels of `[[[…]]]` or `{"a":{"a":…}}`. */
export function deepNesting(rng: Rng, depth: number): string {
  return rng.chance(0.5)
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** A copy of `items` in a random order. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// ---- Kafka messages made from contract events ----

/** Valid but unusual names: scripts, separators and glob characters, NUL, bidi controls, 200 characters. */
export const ODD_NAMES = [
  'ü-ñ-ß',
  '日本語',
  '🙂🙃',
  'a:b:c',
  'q*?[x]',
  ' ',
  'a b\tc',
  'n\u0000ul',
  'x'.repeat(200),
  '<script>alert(1)</script>',
  '%s%n',
  '..\\/',
  '\u202Ertl',
  '{"a":1}',
];

/**
 * Timestamps at the ends of what the contract accepts (1970-01-01T00:00Z up to, not including,
 * 3000-01-01T00:00Z), written with offsets that move the wall time across a day or year boundary:
 * valid, so they reach the projector and must land in their periods.
 */
export const EDGE_TIMESTAMPS_INSIDE = [
  '1970-01-01T00:00:00Z',
  '1970-01-01T14:00:00.000+14:00',
  '1969-12-31T12:00:00-12:00',
  '2000-02-29T23:59:59.999-12:00',
  '2999-12-31T23:59:59.999Z',
  '2999-12-31T11:59:59.999-12:00',
  '3000-01-01T13:59:59.999+14:00',
];

/** Just outside that range (by a millisecond, or by the offset): dead-lettered, never projected. */
export const EDGE_TIMESTAMPS_OUTSIDE = [
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00+14:00',
  '3000-01-01T00:00:00Z',
  '2999-12-31T23:59:59.999-12:00',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999-12:00',
];

/**
 * Valid events about entities with odd names (an agent, a call it takes, a complaint assigned to it, a
 * survey), all before `now`; and surveys stamped at the ends of the timestamp range (`edge-in-*`,
 * valid) and just outside it (`edge-out-*`, to be dead-lettered).
 */
export function oddEvents(rng: Rng, now: number): CcEvent[] {
  const scores = () =>
    Object.fromEntries(SURVEY_DIMENSIONS.map((d) => [d, rng.int(1, 5)])) as SurveySubmitted['scores'];
  const named = ODD_NAMES.flatMap((name, i): CcEvent[] => {
    const at = (s: number) => new Date(now - (ODD_NAMES.length - i) * 120_000 + s * 1000).toISOString();
    const call = { callId: name, queue: name, agentId: name };
    const ticket = {
      ticketId: name,
      kind: 'complaint',
      category: 'other',
      priority: 'high',
      tier: 'key',
    } as const;
    return [
      ev.agent({ agentId: name, name, team: name, state: 'available', reason: name, ts: at(0) }),
      ev.queued({ callId: name, queue: name, priority: rng.int(0, 2), tier: 'vip', ts: at(1) }),
      ev.answered({ ...call, ts: at(rng.int(2, 40)) }),
      ev.ended({ ...call, ts: at(60) }),
      ev.ticket({ ...ticket, subject: name, channel: name, customerId: name, team: name, ts: at(5) }),
      ev.assigned({ ticketId: name, agentId: name, by: name, ts: at(70) }),
      ev.progress({ ticketId: name, percent: rng.pick([0, 33.3, 100]), note: name, ts: at(80) }),
      ev.survey({
        surveyId: name,
        agentId: name,
        ticketId: name,
        callId: name,
        scores: scores(),
        ts: at(90),
      }),
    ];
  });
  const edges = [
    ...EDGE_TIMESTAMPS_INSIDE.map((ts, i) => ev.survey({ surveyId: `edge-in-${i}`, scores: scores(), ts })),
    ...EDGE_TIMESTAMPS_OUTSIDE.map((ts, i) => ev.survey({ surveyId: `edge-out-${i}`, scores: scores(), ts })),
  ];
  return [...named, ...edges];
}

/** One message for an input topic (by role) and what was done to it. */
export interface FuzzMessage {
  role: TopicRole;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
  /** The mutation that made it (`valid`, `duplicate`, `bad-ts`, …), for the run's summary. */
  label: string;
}

/** What the mutator may still spend: messages over the size limit are few (the broker trims big partitions). */
export interface MutatorBudget {
  /** Messages of about 64 KiB still allowed. */
  huge: number;
  /** The ingest size limit (config `ingest.maxMessageBytes`). */
  maxBytes: number;
}

type Fields = Record<string, unknown>;

/** The message a well-behaved producer sends for `e`. */
export function messageOf(e: CcEvent, label = 'valid'): FuzzMessage {
  return { role: topicRoleOf(e.type), key: entityKeyOf(e), value: JSON.stringify(e), label };
}

function entityField(e: CcEvent): string {
  const prefix = e.type.slice(0, e.type.indexOf('.'));
  return prefix === 'call'
    ? 'callId'
    : prefix === 'agent'
      ? 'agentId'
      : prefix === 'ticket'
        ? 'ticketId'
        : 'surveyId';
}

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** `e` as JSON with the `patch` fields set and the `drop` fields removed. */
function edited(e: CcEvent, patch: Fields, drop: string[] = []): string {
  const o: Fields = { ...e, ...patch };
  for (const f of drop) delete o[f];
  return JSON.stringify(o);
}

/** `e` as JSON with an extra `pad` string field making it exactly `bytes` long (UTF-8) when it fits. */
function padded(e: CcEvent, bytes: number, filler: string): string {
  const room = bytes - Buffer.byteLength(edited(e, { pad: '' }));
  const n = Math.max(0, Math.floor(room / Buffer.byteLength(filler)));
  const rest = Math.max(0, room - n * Buffer.byteLength(filler));
  return edited(e, { pad: filler.repeat(n) + 'x'.repeat(rest) });
}

/** A JSON string literal with every UTF-16 unit written as a `\uXXXX` escape. */
function escapedLiteral(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `${out}"`;
}

type Mutation = (rng: Rng, e: CcEvent, budget: MutatorBudget) => Partial<FuzzMessage> | null;

const BREAKING: ReadonlyArray<readonly [string, number, Mutation]> = [
  [
    'drop-required',
    10,
    (rng, e) => {
      const shape = (EVENT_SCHEMAS[e.type] as unknown as { shape: Record<string, z.ZodType> }).shape;
      const required = Object.keys(shape).filter((k) => shape[k]?.safeParse(undefined).success === false);
      return { value: edited(e, {}, [rng.pick(required)]) };
    },
  ],
  [
    'wrong-type',
    10,
    (rng, e) => {
      if (e.type === 'survey.submitted' && rng.chance(0.5)) {
        const bad = rng.pick<unknown>(['5', true, null, [5], { v: 5 }]);
        return { value: edited(e, { scores: { ...e.scores, [rng.pick(SURVEY_DIMENSIONS)]: bad } }) };
      }
      const field = rng.pick(Object.keys(e));
      const v = (e as unknown as Fields)[field];
      const options = [null, true, 0, 17.5, [], [v], {}, { value: v }, String(v)];
      return { value: edited(e, { [field]: rng.pick(options.filter((o) => jsonType(o) !== jsonType(v))) }) };
    },
  ],
  [
    'out-of-range',
    10,
    (rng, e) => {
      const patches: Fields[] = [
        { id: rng.pick(['', 'i'.repeat(201)]) },
        { [entityField(e)]: rng.pick(['', 'e'.repeat(201)]) },
      ];
      if ('queue' in e) patches.push({ queue: rng.pick(['', 'q'.repeat(201)]) });
      if (e.type === 'call.queued') patches.push({ priority: rng.pick([3, -1, 0.5, 1e308, 2 ** 53]) });
      if (e.type === 'ticket.progress') {
        patches.push({ percent: rng.pick([-0.5, 100.01, 1e9, -1e308]) }, { note: 'n'.repeat(2001) });
      }
      if (e.type === 'ticket.created') patches.push({ subject: rng.pick(['', 's'.repeat(501)]) });
      if (e.type === 'survey.submitted') {
        patches.push({
          scores: { ...e.scores, [rng.pick(SURVEY_DIMENSIONS)]: rng.pick([0, 6, 2.5, -1, 1e6]) },
        });
      }
      return { value: edited(e, rng.pick(patches)) };
    },
  ],
  [
    'bad-enum',
    10,
    (rng, e) => {
      if (e.type === 'ticket.created' && e.kind !== 'complaint' && rng.chance(0.25)) {
        return { value: edited(e, { category: 'price' }) }; // a category is for complaints only
      }
      const o = e as unknown as Fields;
      const fields = ['type', 'state', 'kind', 'priority', 'tier', 'category', 'complexity'].filter(
        (f) => typeof o[f] === 'string',
      );
      const field = rng.pick(fields);
      const v = String(o[field]);
      const bad = rng.pick([
        v.toUpperCase(),
        ` ${v}`,
        `${v}\u0000`,
        v.replace(/[._]/, '-'),
        v.replace(/a/g, '\u0430'), // Cyrillic a
        '',
        'call.exploded',
        rng.pick(HOSTILE_STRINGS),
      ]);
      return { value: edited(e, { [field]: bad === v ? `${v}!` : bad }) };
    },
  ],
  [
    'bad-ts',
    10,
    (rng, e) => {
      const ms = Date.parse(e.ts);
      const iso = new Date(ms).toISOString();
      const bare = iso.slice(0, 19);
      const fullWidth = iso.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
      const ts = rng.pick<unknown>([
        bare,
        iso.slice(0, 10),
        `${iso.slice(0, 10)} ${iso.slice(11)}`,
        iso.toLowerCase(),
        `${bare}+0000`,
        `${bare}+01`,
        `${bare}+25:00`,
        `${bare}.Z`,
        `${bare},5Z`,
        `${iso.slice(0, 5)}02-30T10:00:00Z`,
        `${iso.slice(0, 10)}T24:00:00Z`,
        `${iso.slice(0, 10)}T23:59:60Z`,
        new Date(ms).toUTCString(),
        fullWidth,
        'yesterday at noon',
        '',
        ms,
        String(ms),
        null,
      ]);
      return { value: edited(e, { ts }) };
    },
  ],
  [
    'huge',
    2,
    (rng, e, budget) => {
      if (budget.huge <= 0) return null;
      budget.huge--;
      const over = budget.maxBytes + rng.pick([1, 2, rng.int(3, 6000)]);
      const field = rng.pick(['pad', 'subject', 'id', entityField(e)]);
      if (field === 'pad') return { value: padded(e, over, rng.pick(['x', '€', '😀'])) };
      return { value: edited(e, { [field]: 'h'.repeat(over) }) };
    },
  ],
  [
    'random-bytes',
    5,
    (rng) => ({ value: Buffer.from(Array.from({ length: rng.int(1, 1500) }, () => rng.int(0, 255))) }),
  ],
  [
    'truncated',
    6,
    (rng, e) => {
      const json = JSON.stringify(e);
      return { value: json.slice(0, rng.int(1, json.length - 1)) };
    },
  ],
  [
    'non-utf8',
    6,
    (rng, e) => {
      const json = Buffer.from(JSON.stringify(e));
      const at = json.indexOf('"id":"') + 6;
      const bad = rng.pick([
        [0xff],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xe2, 0x82],
        [0xf8, 0x88, 0x80, 0x80],
        [0xe9],
      ]);
      return { value: Buffer.concat([json.subarray(0, at), Buffer.from(bad), json.subarray(at)]) };
    },
  ],
  [
    'array',
    4,
    (rng, e) => {
      const json = JSON.stringify(e);
      return { value: rng.pick([`[${json}]`, `[${json},${json}]`, '[]', JSON.stringify(Object.values(e))]) };
    },
  ],
  [
    'nested-garbage',
    6,
    (rng, e) => {
      const hole = '\u0000HOLE\u0000';
      const field = rng.pick(Object.keys(e));
      const nest = deepNesting(rng, rng.int(2, 3000));
      if (rng.chance(0.2)) return { value: rng.pick([`{"event":${JSON.stringify(e)}}`, nest]) };
      return { value: edited(e, { [field]: hole }).replace(JSON.stringify(hole), nest) };
    },
  ],
  ['wrong-topic', 6, (rng, e) => ({ role: rng.pick(TOPIC_ROLES.filter((r) => r !== topicRoleOf(e.type))) })],
  [
    'wrong-key',
    6,
    (rng, e) => {
      const k = entityKeyOf(e);
      const key = rng.pick<string | Buffer>([
        `${k} `,
        k.toUpperCase(),
        e.id,
        `${k}\u0000`,
        k.slice(0, -1),
        randomString(rng, 50),
        Buffer.from([0xff, ...Buffer.from(k)]),
      ]);
      const text = Buffer.isBuffer(key) ? key.toString('utf8') : Buffer.from(key).toString('utf8');
      return { key: text === k || text === '' ? `${k}-other` : key };
    },
  ],
  [
    'scalar',
    3,
    (rng, e) => ({ value: rng.pick(['null', '0', '-1', 'true', '1e400', JSON.stringify(e.type)]) }),
  ],
  ['empty', 2, (rng) => ({ value: rng.pick(['', null]) })],
  [
    'proto-pollution',
    4,
    (rng, e) => {
      const json = JSON.stringify(e);
      const type = JSON.stringify(e.type);
      return {
        value: rng.pick([
          `{"__proto__":${json}}`,
          `{"type":${type},"__proto__":${json}}`,
          `{"constructor":{"prototype":${json}}}`,
          `{"__proto__":{"type":${type},"polluted":true},"id":${JSON.stringify(e.id)}}`,
        ]),
      };
    },
  ],
  [
    'repeated-key',
    4,
    (rng, e) => {
      const json = JSON.stringify(e);
      const field = rng.pick(Object.keys(e));
      // JSON.parse keeps the last of repeated keys: a bad value after a good one.
      return { value: `${json.slice(0, -1)},${JSON.stringify(field)}:${rng.pick(['null', '[]', '{}'])}}` };
    },
  ],
];

const HARMLESS: ReadonlyArray<readonly [string, number, Mutation]> = [
  [
    'extra-fields',
    5,
    (rng, e) => {
      const names = new Set(Object.keys(e));
      const raw: string[] = [];
      for (let n = rng.int(1, 4); n > 0; n--) {
        const name = rng.pick([...PROTO_KEYS, 'x-extra', 'meta', randomString(rng, 30)]);
        if (names.has(name)) continue;
        const value = rng.chance(0.2) ? deepNesting(rng, rng.int(10, 500)) : randomJsonText(rng, 3);
        raw.push(`${JSON.stringify(name)}:${value}`);
      }
      // Extra fields first: were a name to repeat a real one, the real value (last) still wins.
      return { value: `{${raw.map((r) => `${r},`).join('')}${JSON.stringify(e).slice(1)}` };
    },
  ],
  [
    'reformatted',
    4,
    (rng, e) => {
      const sep = rng.pick(['', ' ', '\n  ', '\t', '\r\n']);
      const lit = (s: string) => (rng.chance(0.5) ? escapedLiteral(s) : JSON.stringify(s));
      const entries = shuffled(rng, Object.entries(e)).map(
        ([k, v]) => `${lit(k)}${sep}:${sep}${typeof v === 'string' ? lit(v) : JSON.stringify(v)}`,
      );
      return { value: `{${sep}${entries.join(`,${sep}`)}${sep}}` };
    },
  ],
  ['bom', 1, (_rng, e) => ({ value: `\uFEFF${JSON.stringify(e)}` })],
  [
    'ts-format',
    3,
    (rng, e) => {
      const ms = Date.parse(e.ts);
      const at = (offsetMin: number, text: string) =>
        new Date(ms + offsetMin * 60_000).toISOString().replace('Z', text);
      const ts = rng.pick([
        at(0, 'Z'),
        at(0, '-00:00'),
        at(840, '+14:00'),
        at(-720, '-12:00'),
        at(345, '+05:45'),
      ]);
      return {
        value: edited(e, { ts: rng.chance(0.3) ? ts.replace(/\.\d{3}/, (ms3) => `${ms3}000000`) : ts }),
      };
    },
  ],
  [
    'at-size-limit',
    1,
    (rng, e, budget) => {
      if (budget.huge <= 0) return null;
      budget.huge--;
      return { value: padded(e, budget.maxBytes, rng.pick(['x', '€', 'é'])) };
    },
  ],
];

function apply(
  rng: Rng,
  e: CcEvent,
  budget: MutatorBudget,
  table: ReadonlyArray<readonly [string, number, Mutation]>,
): FuzzMessage {
  for (;;) {
    const [label, , mutate] = rng.weighted(table.map((m) => [m, m[1]] as const));
    const patch = mutate(rng, e, budget);
    if (patch) return { ...messageOf(e), ...patch, label };
  }
}

/** A message made from `e` that the contract rejects (broken JSON, fields, key, topic, size …). */
export function breakEvent(rng: Rng, e: CcEvent, budget: MutatorBudget): FuzzMessage {
  return apply(rng, e, budget, BREAKING);
}

/** `e` in an odd but valid form, same id and instant (extra fields, escapes, BOM, offsets, 64 KiB). */
export function harmlessVariant(rng: Rng, e: CcEvent, budget: MutatorBudget): FuzzMessage {
  return apply(rng, e, budget, HARMLESS);
}

/** A message that belongs to no event: random bytes or JSON, an event-shaped object of random fields. */
export function junkMessage(rng: Rng): FuzzMessage {
  const role = rng.pick(TOPIC_ROLES);
  const key = rng.chance(0.15) ? null : randomString(rng, 60) || 'k';
  const label = rng.pick(['junk-bytes', 'junk-json', 'junk-event']);
  if (label === 'junk-bytes') {
    return {
      role,
      key,
      label,
      value: Buffer.from(Array.from({ length: rng.int(0, 800) }, () => rng.int(0, 255))),
    };
  }
  if (label === 'junk-json') return { role, key, label, value: randomJsonText(rng, 5) };
  const fields = [
    `"type":${JSON.stringify(rng.pick(EVENT_TYPES))}`,
    `"id":${JSON.stringify(randomString(rng, 40))}`,
  ];
  if (rng.chance(0.7)) fields.push(`"ts":${JSON.stringify(new Date().toISOString())}`);
  for (let n = rng.int(0, 6); n > 0; n--) {
    fields.push(
      `${JSON.stringify(rng.pick(['callId', 'queue', 'agentId', 'state', 'ticketId', ...PROTO_KEYS]))}:${randomJsonText(rng, 2)}`,
    );
  }
  return { role, key, label, value: `{${shuffled(rng, fields).join(',')}}` };
}

/** Headers a producer might add; some pretend to be the dead-letter headers, which must not stick. */
export function randomHeaders(rng: Rng): Record<string, string> {
  return rng.pick<Record<string, string>>([
    { 'x-fuzz': randomString(rng, 40) },
    { 'floorboard-dlq-reason': 'spoofed', 'floorboard-dlq-topic': 'spoofed', 'floorboard-dlq-offset': '-1' },
    { [randomString(rng, 20) || 'h']: randomString(rng, 80) },
  ]);
}

export interface StreamOptions {
  /** Messages to make in all (at least). */
  total: number;
  budget: MutatorBudget;
}

/**
 * Interleaves `events` with rejects made from them, harmless variants sent ahead of their originals,
 * exact and reformatted duplicates and junk, until there are `total` messages. Each event is sent
 * once unaltered, after any variant of it and in event order, so an entity's events stay in order on
 * its partition and a valid variant makes its original a duplicate.
 */
export function fuzzStream(rng: Rng, events: readonly CcEvent[], opts: StreamOptions): FuzzMessage[] {
  const out: FuzzMessage[] = [];
  const later: Array<{ at: number; msg: FuzzMessage }> = [];
  const junkRate = 0.06;
  const perEvent = Math.max(0, (opts.total * (1 - junkRate) - events.length * 1.1) / events.length);
  const decorate = (m: FuzzMessage): FuzzMessage =>
    rng.chance(0.04) ? { ...m, headers: randomHeaders(rng) } : m;
  for (const e of events) {
    for (let next = later[0]; next && next.at <= out.length; next = later[0]) {
      out.push(next.msg);
      later.shift();
    }
    if (rng.chance(junkRate)) out.push(decorate(junkMessage(rng)));
    const n = Math.floor(perEvent) + (rng.chance(perEvent % 1) ? 1 : 0);
    const rejects = Array.from({ length: n }, () => decorate(breakEvent(rng, e, opts.budget)));
    const split = rng.int(0, rejects.length);
    out.push(...rejects.slice(0, split));
    if (rng.chance(0.1)) out.push(decorate(harmlessVariant(rng, e, opts.budget)));
    out.push(decorate(messageOf(e)));
    out.push(...rejects.slice(split));
    if (rng.chance(0.05)) {
      const copy = rng.chance(0.5)
        ? { ...messageOf(e), label: 'duplicate' }
        : harmlessVariant(rng, e, opts.budget);
      later.push({ at: out.length + rng.int(1, 400), msg: copy });
      later.sort((a, b) => a.at - b.at);
    }
  }
  out.push(...later.map((l) => l.msg));
  while (out.length < opts.total)
    out.push(rng.chance(0.5) ? junkMessage(rng) : breakEvent(rng, rng.pick(events), opts.budget));
  return out;
}

// ---- JSON request bodies and socket payloads ----

/** Sets an own, enumerable property (also for `__proto__`, which plain assignment would not). */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Paths to every node of a JSON-like value, the root included. */
function pathsOf(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  const out = [path];
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(...pathsOf(v, [...path, Array.isArray(value) ? Number(k) : k]));
    }
  }
  return out;
}

/** A value of a wrong type or out of any sane range. */
export function oddValue(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => null,
    () => rng.pick([true, false]),
    () => rng.pick([0, -0, -1, 0.5, -1e-9, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 2 ** 32]),
    () => rng.pick(HOSTILE_STRINGS),
    () => randomString(rng, 300),
    () => 'l'.repeat(rng.int(201, 20_000)),
    () => [],
    () => ({}),
    () => randomJson(rng, 3),
  ])();
}

/**
 * A mutated copy of a JSON-like value: one node replaced by an odd value, removed, joined by a
 * sibling (often `__proto__` or `constructor`), or an array blown past its limits.
 */
export function mutateJson(rng: Rng, value: unknown): unknown {
  const root: unknown = structuredClone(value);
  const path = rng.pick(pathsOf(root));
  if (path.length === 0) return rng.chance(0.5) ? oddValue(rng) : root;
  const parentPath = path.slice(0, -1);
  const parent = parentPath.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root);
  const key = path[path.length - 1] as string | number;
  const node = parent as Record<string | number, unknown>;
  switch (rng.int(0, 4)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete node[key];
      break;
    case 1:
      if (Array.isArray(parent)) {
        const item = parent[Number(key)];
        parent.push(...Array.from({ length: rng.pick([1, 50, 250]) }, () => structuredClone(item)));
        break;
      }
      setOwn(
        node,
        rng.pick([...PROTO_KEYS, randomString(rng, 20)]),
        rng.chance(0.5) ? oddValue(rng) : structuredClone(root),
      );
      break;
    default:
      setOwn(node, key, oddValue(rng));
  }
  return root;
}

/** A random client address (for per-address rate limits behind the trusted loopback proxy). */
export function randomIp(rng: Rng): string {
  return `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}
