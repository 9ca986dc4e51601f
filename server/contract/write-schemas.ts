/** `npm run schemas`: regenerates server/contract/schemas/*.json from the zod contract. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemas } from './json-schemas.ts';

const dir = fileURLToPath(new URL('./schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, text] of renderJsonSchemas()) writeFileSync(`${dir}${name}`, text);
process.stdout.write(`wrote ${renderJsonSchemas().size} schemas to ${dir}\n`);
