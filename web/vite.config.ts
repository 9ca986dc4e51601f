import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  plugins: [sveltekit()],
  // The contract module lives outside web/ (server/contract); the dev server may read it.
  server: {
    fs: { allow: [repoRoot] },
    proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'ws://localhost:3000', ws: true } },
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 250 },
});
