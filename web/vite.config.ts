/**
 * Builds the client into web/dist, which the gateway serves at `/`. The dev server stands in for
 * the gateway: the same prefixes, stripped, to the services `npm start` runs, and `/media/…`
 * whole to user-service.
 */
import { defineConfig } from 'vite';

const service = (port: number, prefix: string, ws = false) => ({
  target: `http://127.0.0.1:${port}`,
  ws,
  changeOrigin: false,
  rewrite: (path: string) => path.slice(prefix.length),
});

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // The gateway and `npm start` read web/dist; a report of sizes is the budget check.
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api/auth': service(8081, '/api/auth'),
      '/api/users': service(8082, '/api/users'),
      '/api/chat': service(8083, '/api/chat', true),
      // The pictures' files, with their path whole, as the gateway sends them.
      '/media': { target: 'http://127.0.0.1:8082', changeOrigin: false },
    },
  },
});
