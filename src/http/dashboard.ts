import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router } from 'express';

/** Where the dashboard is served: same origin as /graphql, so that the refresh cookie (Path=/graphql) travels. */
export const DASHBOARD_PATH = '/dashboard';

/**
 * The dashboard's Content-Security-Policy, stricter than nothing and no looser than it must be: scripts, styles
 * and connections (HTTP and WebSocket: CSP 3's 'self' covers ws: and wss: of the same host) from this origin only,
 * no inline script or style element, no plugin, no frame, no form posting anywhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed file names under assets/ never change content: a year, immutable. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: revalidated on every load (ETag), so a deploy is seen at once. */
const PAGE_CACHE = 'no-cache';

/** dist/dashboard of the project: from src/http (tests) and from dist/src/http (the build) alike. */
export function defaultDashboardDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'dashboard');
}

/**
 * `GET /dashboard/`: the built dashboard (`npm run build` writes it with Vite), static files only, behind the same
 * security headers as the API (helmet runs before this router) with the dashboard's own CSP in place of the API's.
 * When it was never built, a 404 that says how to build it.
 */
export function dashboardRouter(options: { dir?: string } = {}): Router {
  const dir = options.dir ?? defaultDashboardDir();
  const router = Router();
  router.use(DASHBOARD_PATH, (_req, res, next) => {
    res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    next();
  });
  router.use(
    DASHBOARD_PATH,
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'ignore',
      setHeaders: (res, path) => res.setHeader('Cache-Control', path.includes(`${join(dir, 'assets')}`) ? ASSET_CACHE : PAGE_CACHE),
    }),
  );
  router.use(DASHBOARD_PATH, (_req, res) => {
    res.status(404).type('text/plain').send(existsSync(join(dir, 'index.html')) ? 'Not found' : 'The dashboard is not built: run `npm run build`.');
  });
  return router;
}
