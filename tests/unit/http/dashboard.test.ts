import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { DASHBOARD_CSP, dashboardRouter, defaultDashboardDir } from '../../../src/http/dashboard';
import { securityHeaders } from '../../../src/http/security-headers';
import { repoRoot } from '../../utils/build';

/** An app like createApp's: helmet first, then the dashboard's router, then an API route. */
async function serve(dir: string, isProduction: boolean): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(securityHeaders({ isProduction, hstsMaxAgeSeconds: 0 }));
  app.use(dashboardRouter({ dir }));
  app.get('/graphql', (_req, res) => res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the dashboard route', () => {
  const built = mkdtempSync(join(tmpdir(), 'dashboard-built-'));
  const empty = mkdtempSync(join(tmpdir(), 'dashboard-empty-'));
  const servers: Server[] = [];
  let builtUrl: string;
  let emptyUrl: string;

  beforeAll(async () => {
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/index-abc.js"></script>');
    writeFileSync(join(built, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(built, '.hidden'), 'secret');
    for (const [dir, isProduction] of [[built, true], [empty, false]] as const) {
      const { url, server } = await serve(dir, isProduction);
      servers.push(server);
      if (dir === built) builtUrl = url;
      else emptyUrl = url;
    }
  });

  afterAll(() => {
    for (const server of servers) server.close();
    rmSync(built, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('should serve the page revalidated and the hashed assets immutable, both under the dashboard’s CSP', async () => {
    const page = await fetch(`${builtUrl}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const asset = await fetch(`${builtUrl}/dashboard/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('should allow no inline script, no foreign origin and no framing', () => {
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });

  it('should redirect /dashboard to /dashboard/ and leave the API’s own policy alone', async () => {
    const redirect = await fetch(`${builtUrl}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/dashboard/');
    const api = await fetch(`${builtUrl}/graphql`);
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(api.headers.get('content-security-policy')).not.toContain("script-src 'self'");
  });

  it('should not serve dot files, and answer 404 for what is not there', async () => {
    expect((await fetch(`${builtUrl}/dashboard/.hidden`)).status).toBe(404);
    const missing = await fetch(`${builtUrl}/dashboard/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not found');
  });

  it('should say how to build the dashboard when it was never built', async () => {
    const answer = await fetch(`${emptyUrl}/dashboard/`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toContain('npm run build');
  });

  it('should find dist/dashboard of the project from the sources as from the build', () => {
    expect(defaultDashboardDir()).toBe(join(repoRoot, 'dist', 'dashboard'));
  });
});
