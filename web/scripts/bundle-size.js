// Prints the gzip size of the JavaScript a page loads, from the build output (web/build).
// usage: node web/scripts/bundle-size.js [route-id ...]   (default: /wallboard)
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pageScripts } from './page-scripts.js';

const clientDir = fileURLToPath(new URL('../build/client/', import.meta.url));
const routes = process.argv.slice(2);
for (const route of routes.length > 0 ? routes : ['/wallboard']) {
  const files = pageScripts(route);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(clientDir + f);
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  process.stdout.write(
    `${route}: ${files.length} JS files, ${(raw / 1024).toFixed(1)} KiB minified, ${(gz / 1024).toFixed(1)} KiB gzip\n`,
  );
}
