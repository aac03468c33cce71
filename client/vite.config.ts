import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { precompressPlugin } from './compressPlugin.js';
import { serviceWorkerPlugin } from './swPlugin.js';

/** The signaling server (Fastify) in development; the built app is served by it in production. */
const SIGNALING = 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact(), serviceWorkerPlugin(), precompressPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      // Host kept (localhost:5173): the server accepts a WebSocket whose Origin is the request's own host.
      '/ws': { target: SIGNALING, ws: true, changeOrigin: false },
      '/api': { target: SIGNALING, changeOrigin: true },
    },
  },
});
