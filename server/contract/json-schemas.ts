/** JSON Schema documents generated from the zod contract (one per event type and outbound command). */
import { z } from 'zod';
import { OUTBOUND_SCHEMAS } from './commands.ts';
import { EVENT_SCHEMAS, EVENT_TYPES } from './events.ts';

/** The schema file name of an event type, e.g. `call.queued.schema.json`. */
export function schemaFileName(type: string): string {
  return `${type}.schema.json`;
}

/** The schema file name of an outbound command type, e.g. `outbound.ticket.assigned.schema.json`. */
export function outboundSchemaFileName(type: string): string {
  return `outbound.${type}.schema.json`;
}

function render(file: string, title: string, description: string, schema: z.ZodType): string {
  const doc = {
    $id: `https://floorboard.dev/schemas/v1/${file}`,
    title,
    description,
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Every event type's and outbound command's JSON Schema, keyed by file name, as written to disk. */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const type of EVENT_TYPES) {
    const file = schemaFileName(type);
    out.set(file, render(file, type, `floorboard event contract v1: ${type}`, EVENT_SCHEMAS[type]));
  }
  for (const [type, schema] of Object.entries(OUTBOUND_SCHEMAS)) {
    const file = outboundSchemaFileName(type);
    const what = `floorboard outbound command v1 (published on cc.commands): ${type}`;
    out.set(file, render(file, type, what, schema));
  }
  return out;
}
