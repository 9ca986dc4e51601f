/** JSON Schema documents generated from the zod contract (one per event type). */
import { z } from 'zod';
import { EVENT_SCHEMAS, EVENT_TYPES } from './events.ts';

/** The schema file name of an event type, e.g. `call.queued.schema.json`. */
export function schemaFileName(type: string): string {
  return `${type}.schema.json`;
}

/** Every event type's JSON Schema, keyed by file name, as the text written to disk. */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const type of EVENT_TYPES) {
    const schema = z.toJSONSchema(EVENT_SCHEMAS[type], { target: 'draft-2020-12', io: 'input' });
    const doc = {
      $id: `https://floorboard.dev/schemas/v1/${schemaFileName(type)}`,
      title: type,
      description: `floorboard event contract v1: ${type}`,
      ...schema,
    };
    out.set(schemaFileName(type), `${JSON.stringify(doc, null, 2)}\n`);
  }
  return out;
}
