import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiUrl = process.env.DASHBOARD_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}`;

/**
 * The dashboard's build (`npm run build`, into dist/dashboard, served by the API at /dashboard/) and its dev
 * server (`npm run dev`: hot reload on port 5173, /graphql proxied to the API, WebSocket included, so the page and
 * the API share one origin as they do in production and the SameSite=Strict refresh cookie reaches the API).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // Vite inlines small assets as data: URLs by default; the CSP allows none, and there are none anyway.
    assetsInlineLimit: 0,
    // Hashed names under assets/: the API serves them as immutable.
    assetsDir: 'assets',
    reportCompressedSize: false,
  },
  server: {
    port: Number(process.env.DASHBOARD_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: { '/graphql': { target: apiUrl, ws: true, changeOrigin: false } },
  },
});
