import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'server/**/*.spec.ts',
            'streams/**/*.spec.ts',
            'config/**/*.spec.ts',
            'test/support/**/*.spec.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        // Pure logic of the web app (web/src/**/*.spec.ts), with SvelteKit's aliases.
        resolve: {
          alias: {
            $lib: fileURLToPath(new URL('./web/src/lib', import.meta.url)),
            $contract: fileURLToPath(new URL('./server/contract', import.meta.url)),
          },
        },
        test: { name: 'web', include: ['web/src/**/*.spec.ts'] },
      },
      {
        // The whole app in real Chromium (test/browser); builds web/ first (global setup).
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
