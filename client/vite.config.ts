import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { precompressPlugin } from './compressPlugin.js';
import { pureProtocolPlugin } from './protocolPlugin.js';
import { serviceWorkerPlugin } from './swPlugin.js';

/** The signaling server (Fastify) in development; the built app is served by it in production. */
const SIGNALING = 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [pureProtocolPlugin(), preact(), serviceWorkerPlugin(), precompressPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // With protocolPlugin.ts: the protocol's schema maps spread one another ({ ...MarkupRequests });
    // a spread reads properties, which a bundler must otherwise assume has effects (getters).
    // No code of the client reads a property for its side effect (a layout flush, say).
    rolldownOptions: { treeshake: { propertyReadSideEffects: false } },
  },
  server: {
    proxy: {
      // Host kept (localhost:5173): the server accepts a WebSocket whose Origin is the request's own host.
      '/ws': { target: SIGNALING, ws: true, changeOrigin: false },
      '/api': { target: SIGNALING, changeOrigin: true },
    },
  },
});
