// SvelteKit config for the floorboard web UI. Built with `npm run build` (cwd web/), output web/build;
// the Express server mounts web/build/handler.js after the API.
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * adapter-node reads `package.json` from the working directory (its dependencies stay external), but
 * SvelteKit builds from web/ and the project's one package.json is at the repository root.
 */
function nodeAdapterAtRoot(options) {
  const inner = adapter(options);
  return {
    ...inner,
    async adapt(builder) {
      const previous = process.cwd();
      process.chdir(here('..'));
      try {
        await inner.adapt(builder);
      } finally {
        process.chdir(previous);
      }
    },
  };
}

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: nodeAdapterAtRoot({ out: here('./build'), precompress: true }),
    // The shared contract and the isomorphic live-feed client live with the server.
    alias: { $contract: here('../server/contract'), $realtime: here('../server/realtime') },
    // Mirrors server/http/security.ts CSP_DIRECTIVES (helmet); SvelteKit's header replaces helmet's on
    // pages and adds the hash of its inline bootstrap script, so no 'unsafe-inline' scripts anywhere.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'base-uri': ['self'],
        'script-src': ['self'],
        'script-src-attr': ['none'],
        'style-src': ['self'],
        'style-src-attr': ['unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self', 'ws:', 'wss:'],
        'object-src': ['none'],
        'form-action': ['self'],
        'frame-ancestors': ['self'],
      },
    },
  },
};

export default config;
