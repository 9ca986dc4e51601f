/**
 * vitest globalSetup for the `browser` project: builds the web app (web/build, mounted by the server)
 * unless FLOORBOARD_SKIP_WEB_BUILD=1, and checks that Chromium is there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM } from './browser.ts';
import { REPO_ROOT } from './server.ts';

export default function setup(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
  if (process.env.FLOORBOARD_SKIP_WEB_BUILD === '1') return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}
