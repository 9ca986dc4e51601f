// The JavaScript files (relative to web/build/client) a route loads: the client entry, the app, the
// root layout node, the route's page node and all their static imports, from Vite's build manifest.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

const kitDir = fileURLToPath(new URL('../.svelte-kit/', import.meta.url));
const NODES = 'generated/client-optimized/nodes/';

/** The manifest key of the node whose component is `src/routes<route>/+page.svelte`. */
function pageNode(route) {
  const want = `/src/routes${route === '/' ? '' : route}/+page.svelte"`;
  for (const f of readdirSync(kitDir + NODES)) {
    if (readFileSync(kitDir + NODES + f, 'utf8').includes(want)) return `.svelte-kit/${NODES}${f}`;
  }
  throw new Error(`no page ${route} in the build`);
}

/** @param {string} route e.g. "/wallboard" */
export function pageScripts(route) {
  /** @type {Record<string, { file: string; imports?: string[] }>} */
  const manifest = JSON.parse(readFileSync(`${kitDir}output/client/.vite/manifest.json`, 'utf8'));
  const entries = [
    ...Object.keys(manifest).filter((k) => k.endsWith('/kit/src/runtime/client/entry.js')),
    '.svelte-kit/generated/client-optimized/app.js',
    `.svelte-kit/${NODES}0.js`,
    pageNode(route),
  ];
  /** @type {Set<string>} */
  const seen = new Set();
  const visit = (/** @type {string} */ k) => {
    const m = manifest[k];
    if (seen.has(k) || m === undefined) return;
    seen.add(k);
    for (const i of m.imports ?? []) visit(i);
  };
  entries.forEach(visit);
  return [...new Set([...seen].map((k) => manifest[k]?.file ?? ''))].filter((f) => f.endsWith('.js'));
}
