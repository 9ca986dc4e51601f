import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderJsonSchemas } from './json-schemas.ts';

const dir = fileURLToPath(new URL('./schemas/', import.meta.url));

describe('generated JSON Schema files', () => {
  it('match the zod contract (run `npm run schemas` after changing it)', () => {
    const expected = renderJsonSchemas();
    expect(readdirSync(dir).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(`${dir}${name}`, 'utf8'), name).toBe(text);
  });

  it('describe required fields and enums', () => {
    const created = JSON.parse(renderJsonSchemas().get('ticket.created.schema.json') ?? '{}') as {
      required: string[];
      properties: Record<string, { enum?: string[] }>;
    };
    expect(created.required).toEqual(
      expect.arrayContaining(['id', 'type', 'ts', 'ticketId', 'kind', 'priority', 'tier', 'subject']),
    );
    expect(created.properties.kind?.enum).toEqual(['consultation', 'technical', 'complaint']);
  });
});
