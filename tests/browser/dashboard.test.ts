import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { print } from 'graphql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp, type App } from '../../src/app';
import { createLogger } from '../../src/infra/logger';
import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { DEMO_PASSWORDS, ensureDemoAccounts } from '../../src/modules/accounts/demo-accounts';
import { seedDemoCatalog } from '../fixtures/catalog';
import { DASHBOARD_CSP } from '../../src/http/dashboard';
import { systemClock } from '../../src/shared/clock';
import { runSql } from '../../src/shared/sql';
import { ADDRESS } from '../fixtures/addresses';
import { createProducts } from '../fixtures/shops';
import {
  AddToCartDocument,
  AdjustStockDocument,
  BanUserDocument,
  CheckoutDocument,
  LogInDocument,
  MeDocument,
  RefreshSessionWithCookieDocument,
  SetUserRoleDocument,
  ShopBySlugDocument,
} from '../generated/graphql';
import { postGraphql } from '../utils/clients';
import { createTestDatabase, type TestDatabase } from '../utils/database';
import { dataOf, sendAs } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { repoRoot } from '../utils/build';
import { dashboardBundleSize, percentile } from './dashboard-metrics';
import {
  DASHBOARD_LOAD,
  checkoutFromBrowser,
  describeLongFrame,
  launchChromium,
  levelShown as levelShownOn,
  longFramesSeen,
  measureAdjustToScreen,
  sendPacedStockEvents,
  signInOnDashboard,
  waitForCheckoutShown,
  waitForConnectionState,
  waitForLevels,
  watchLongFrames,
} from '../../bench/lib/dashboard-browser';

const SCREENSHOTS = join(__dirname, '__screenshots__');
/** AdjustStock round trips whose response-to-screen time the test measures. */
const MEASURED_ADJUSTMENTS = 20;
/** Generous waits: CI shares two cores; the figures that matter are measured, not asserted by timeouts. */
const UI_TIMEOUT_MS = 10_000;
/** Loading a shop of 500 products (5 pages) on a loaded CI machine. */
const LOAD_TIMEOUT_MS = 30_000;
const PIECES = ['Speckled stoneware mug', 'Walnut serving spoon', 'Indigo linen scarf', 'Amber glass tumbler', 'Sage ceramic vase', 'Hammered brass trivet', 'Beeswax taper pair', 'Carved oak bowl'];
/** The load: a shop of 500 products, 50 stock events a second (the `dashboard` benchmark measures its frames). */
const LARGE_SHOP_PRODUCTS = DASHBOARD_LOAD.products;
const STREAM_EVENTS_PER_SECOND = DASHBOARD_LOAD.eventsPerSecond;
const STREAM_SECONDS = 4;
const STREAM_START_LEVEL = 1_000;

jest.setTimeout(180_000);

/**
 * The dashboard in a real browser (headless Chromium through playwright-core) against the real server, as the
 * issue's scenario runs it: a seeded artisan signs in and watches its stock; a buyer checks out in another browser
 * context; the page shows the new level and the new order without reloading; the artisan adjusts stock and ships;
 * the server restarts and the page catches up; a ban signs the page out with its reason.
 */
describe('the dashboard in a browser', () => {
  let testDatabase: TestDatabase;
  let server: TestServer;
  /** The app serving the page now (replaced by the restart). */
  let app: App;
  let browser: Browser;
  let artisanContext: BrowserContext;
  let page: Page;
  let artisanEmail: string;
  /** A second demo artisan, demoted during the test. */
  let secondArtisanEmail: string;
  let buyerAuthorization: string;
  let shopSlug: string;
  let adminToken: string;
  /** The artisan's own API session, for changes made outside its page. */
  let artisanToken: string;
  let artisanId: string;
  /** Script errors and Content-Security-Policy violations of the page: there must be none. */
  const pageErrors: string[] = [];
  /** The products added to the artisan's shop, each with STREAM_START_LEVEL units. */
  let streamedProductIds: string[];

  beforeAll(async () => {
    // The built dashboard (nothing to do when it is up to date), as `npm start` serves it.
    await promisify(execFile)(process.execPath, [join(repoRoot, 'scripts', 'build-dashboard.mjs')], { cwd: repoRoot });
    testDatabase = await createTestDatabase();
    // Payments of the DEVELOPMENT provider confirm at once: the order becomes PAID and can be shipped.
    server = await startTestServer({ DEVELOPMENT_PAYMENT_DELAY_MS: '0' }, testDatabase);
    app = server.app;
    await seedDemoCatalog(server.database.orm, { products: 60 });
    const accessTokens = createAccessTokens({ secret: server.config.auth.jwtSecret, ttlSeconds: 900, clock: systemClock });
    // The seeded demo accounts of development (the function refuses any other NODE_ENV value it is given).
    const accounts = await ensureDemoAccounts(server.database.orm.em.fork(), { nodeEnv: 'development', accessTokens, now: new Date() });
    artisanEmail = accounts.artisans[0]!;
    secondArtisanEmail = accounts.artisans[1]!;
    buyerAuthorization = accounts.buyerAuthorization;
    const artisan = dataOf(await sendAs(server.graphqlUrl, undefined, LogInDocument, { email: artisanEmail, password: DEMO_PASSWORDS.artisan }));
    artisanToken = artisan.logIn!.accessToken;
    artisanId = artisan.logIn!.user.id;
    const me = dataOf(await sendAs(server.graphqlUrl, artisanToken, MeDocument, {}));
    shopSlug = me.me!.shop!.slug;
    // The artisan's shop grows to 500 products: the page loads them page by page and must hold up under a stream.
    const seeded = dataOf(await sendAs(server.graphqlUrl, undefined, ShopBySlugDocument, { slug: shopSlug, productsFirst: 1 })).shop!;
    streamedProductIds = await createProducts(
      server,
      { id: seeded.id, currency: seeded.currency, owner: undefined as never },
      Array.from({ length: LARGE_SHOP_PRODUCTS - seeded.products.totalCount }, () => ({ stock: STREAM_START_LEVEL })),
    );
    // Names a person would give them (the screenshots show them), instead of the fixture's ids.
    const titles = streamedProductIds.map((_, i) => `${PIECES[i % PIECES.length]} no. ${Math.floor(i / PIECES.length) + 1}`);
    await runSql(server.database.orm.em.fork(), 'update product p set title = t.title from unnest(?::uuid[], ?::text[]) as t(id, title) where p.id = t.id', [
      streamedProductIds,
      titles,
    ]);
    const admin = dataOf(await sendAs(server.graphqlUrl, undefined, LogInDocument, { email: accounts.admin, password: DEMO_PASSWORDS.admin }));
    adminToken = admin.logIn!.accessToken;

    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    artisanContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    page = await artisanContext.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    // The figures the README quotes, as an artifact beside the screenshots.
    if (measuredFigures) writeFileSync(join(SCREENSHOTS, 'figures.json'), `${JSON.stringify({ ...measuredFigures, stream: streamFigures }, null, 2)}\n`);
    await browser?.close();
    await app?.stop();
    await server?.database.close();
    await testDatabase?.drop();
  });

  /** The number a product's row shows, as text. */
  const levelShown = (productId: string) => levelShownOn(page, productId);

  const waitForLevel = (productId: string, level: number, timeout = UI_TIMEOUT_MS) => waitForLevels(page, new Map([[productId, level]]), timeout);

  let productId: string;
  let level: number;
  let measuredFigures: object | undefined;
  let streamFigures: object | undefined;

  /** The demo buyer buys `quantity` of the watched product, from a browser context of its own. */
  const buyerChecksOut = (quantity: number) =>
    checkoutFromBrowser(browser, server.baseUrl, {
      token: buyerAuthorization.replace(/^Bearer /, ''),
      productId,
      quantity,
      address: ADDRESS,
      documents: { addToCart: print(AddToCartDocument), checkout: print(CheckoutDocument) },
    });

  it('serves the built page with its own CSP, cache headers and the same security headers as the API', async () => {
    const pageResponse = await fetch(`${server.baseUrl}/dashboard/`);
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(pageResponse.headers.get('cache-control')).toBe('no-cache');
    expect(pageResponse.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pageResponse.headers.get('x-frame-options')).toBe('DENY');
    const html = await pageResponse.text();
    // No inline script: every <script> has a src.
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => /\ssrc=/.test(tag))).toBe(true);
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${server.baseUrl}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    // The API's own policy is untouched.
    const api = await fetch(`${server.baseUrl}/healthz`);
    expect(api.headers.get('content-security-policy')).not.toBe(DASHBOARD_CSP);
  });

  it('signs a seeded artisan in and shows the shop’s products with their levels, and a reload keeps the session', async () => {
    await signInOnDashboard(page, server.baseUrl, { email: artisanEmail, password: DEMO_PASSWORDS.artisan }, UI_TIMEOUT_MS);
    const shop = dataOf(await sendAs(server.graphqlUrl, undefined, ShopBySlugDocument, { slug: shopSlug, productsFirst: 100 })).shop!;
    const rows = page.locator('tr[data-product-id]');
    const loadStarted = Date.now();
    await rows.nth(LARGE_SHOP_PRODUCTS - 1).waitFor({ state: 'attached', timeout: LOAD_TIMEOUT_MS });
    console.log(`${LARGE_SHOP_PRODUCTS} products on the page ${Date.now() - loadStarted} ms after signing in`);
    expect(await rows.count()).toBe(LARGE_SHOP_PRODUCTS);
    expect(shop.products.totalCount).toBe(LARGE_SHOP_PRODUCTS);
    // A demo product (with a real name, for the screenshots) when the first page holds one; never one the stream changes.
    const listed = shop.products.edges.map(({ node }) => node).filter((node) => node.available >= 5);
    const inStock = listed.find((node) => !streamedProductIds.includes(node.id)) ?? listed[0]!;
    streamedProductIds = streamedProductIds.filter((id) => id !== inStock.id);
    productId = inStock.id;
    level = inStock.available;
    expect(await levelShown(productId)).toBe(String(level));
    await page.screenshot({ path: join(SCREENSHOTS, 'signed-in.png') });

    // The access token lives in memory only: a reload signs in again from the refresh cookie (RefreshSessionWithCookie).
    await page.reload();
    await waitForConnectionState(page, 'live', UI_TIMEOUT_MS);
    await waitForLevel(productId, level, LOAD_TIMEOUT_MS);
  });

  it('shows a buyer’s checkout from another browser context, its new level and its new order, without reloading', async () => {
    const checkout = await buyerChecksOut(2);
    level -= 2;
    const shownAt = await waitForCheckoutShown(page, { productId, level, orderNumber: checkout.number, timeoutMs: UI_TIMEOUT_MS });
    const order = page.locator(`li.order[data-order-number="${checkout.number}"]`);
    const seenAfterMs = shownAt - checkout.answeredAt;
    console.log(`checkout answered → level and order on the artisan's page: ${Math.round(seenAfterMs)} ms`);
    expect(await page.locator(`tr[data-product-id="${productId}"] [data-testid="last-change"]`).textContent()).toMatch(/^-2 · /);
    await page.screenshot({ path: join(SCREENSHOTS, 'new-order.png') });

    // The DEVELOPMENT provider pays at once: the order turns PAID live, and the artisan ships it.
    await order.locator('[data-testid="order-status"]', { hasText: 'paid' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await order.getByTestId('ship-carrier').fill('La Poste');
    await order.getByTestId('ship-tracking').fill('LP123456789FR');
    await order.getByRole('button', { name: 'Ship' }).click();
    await order.locator('[data-testid="order-status"]', { hasText: 'fulfilled' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await order.getByText('Shipped with La Poste, tracking LP123456789FR').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: join(SCREENSHOTS, 'fulfilled.png') });
  });

  it('keeps a paid order paid when the order list’s refetch, read before the payment, reaches the page after it', async () => {
    // The new order's event refetches the list. The payment is held back (a lock on payment_event keeps the
    // DEVELOPMENT provider from recording it) until that refetch has read the order unpaid; its answer is then held
    // back until well after the PAID event has reached the page, so that it lands last, as a slow network can make it.
    const HELD_BACK_MS = 1_500;
    const shopOrdersAnswers: Promise<void>[] = [];
    let listRead: () => void = () => undefined;
    const listReadOnce = new Promise<void>((resolve) => (listRead = resolve));
    await page.route('**/graphql', async (route) => {
      if (!/"operationName":"ShopOrders"/.test(route.request().postData() ?? '')) return route.fallback();
      const answer = (async () => {
        const response = await route.fetch();
        listRead();
        await new Promise((resolve) => setTimeout(resolve, HELD_BACK_MS));
        await route.fulfill({ response });
      })();
      shopOrdersAnswers.push(answer);
      return answer;
    });
    try {
      const checkout = await server.database.orm.em.fork().transactional(async (em) => {
        await runSql(em, 'lock table payment_event in share row exclusive mode');
        const placed = await buyerChecksOut(1);
        await listReadOnce;
        return placed;
      });
      level -= 1;
      const order = page.locator(`li.order[data-order-number="${checkout.number}"]`);
      await order.locator('[data-testid="order-status"]', { hasText: 'paid' }).waitFor({ timeout: UI_TIMEOUT_MS });
      // Every held-back answer has landed (those sent while waiting for the others too), and the order is still shown paid.
      for (let landed = 0; landed < shopOrdersAnswers.length; ) {
        const sent = shopOrdersAnswers.length;
        await Promise.all(shopOrdersAnswers);
        landed = sent;
      }
      expect(await order.getByTestId('order-status').textContent()).toBe('paid');
    } finally {
      await page.unroute('**/graphql');
    }
  });

  it('adjusts stock from the page, shows the change arriving over the subscription, its history, and errors in words', async () => {
    await page.locator(`tr[data-product-id="${productId}"] button.link`).click();
    const panel = page.getByTestId('product-panel');
    await panel.getByTestId('adjust-delta').fill('5');
    await panel.getByTestId('adjust-reason').fill('restock from the workshop');
    await panel.getByRole('button', { name: 'Adjust stock' }).click();
    level += 5;
    await waitForLevel(productId, level);
    await page
      .locator(`tr[data-product-id="${productId}"] [data-testid="last-change"]`, { hasText: '+5 · restock' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await panel.getByTestId('stock-history').getByText('“restock from the workshop”').waitFor({ timeout: UI_TIMEOUT_MS });
    await panel.getByTestId('stock-history').getByText(/order /).first().waitFor({ timeout: UI_TIMEOUT_MS });

    // Below zero: BAD_USER_INPUT, shown in words.
    await panel.getByTestId('adjust-delta').fill(String(-(level + 1)));
    await panel.getByTestId('adjust-reason').fill('too much');
    await panel.getByRole('button', { name: 'Adjust stock' }).click();
    await panel.getByTestId('adjust-message').getByText(/^Not accepted: /).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await panel.getByTestId('adjust-message').textContent()).not.toMatch(/BAD_USER_INPUT/);
    expect(await levelShown(productId)).toBe(String(level));
  });

  it('measures the time from AdjustStock’s response to the new number on screen', async () => {
    const latencies = await measureAdjustToScreen(page, productId, level, MEASURED_ADJUSTMENTS);
    level += MEASURED_ADJUSTMENTS;
    await waitForLevel(productId, level);
    // The README's picture: a stream of changes seen, the product's history open, the shipped order below.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png') });
    const p95 = percentile(latencies, 95);
    const bundle = dashboardBundleSize();
    const figures = {
      adjustStockResponseToScreenMs: { p50: percentile(latencies, 50), p95, max: Math.max(...latencies), samples: latencies.length },
      javascriptGzipBytes: bundle.javascriptGzipBytes,
    };
    measuredFigures = figures;
    console.log(
      `AdjustStock response → new number on screen: p95 ${p95.toFixed(1)} ms (p50 ${figures.adjustStockResponseToScreenMs.p50.toFixed(1)} ms, ${latencies.length} samples); ` +
        `first-load JavaScript ${(bundle.javascriptGzipBytes / 1024).toFixed(1)} KB gzipped`,
    );
    expect(latencies).toHaveLength(MEASURED_ADJUSTMENTS);
    // A size budget, not a timing: the 250 KB of gzipped JavaScript on first load.
    expect(bundle.javascriptGzipBytes).toBeLessThan(250 * 1024);
  });

  it('holds up with 500 products under a stream of stock events (paced at 50 a second): every event lands, long frames are counted', async () => {
    // Long animation frames (over 50 ms: Chromium's long-animation-frame entries) while the stream runs: printed,
    // not asserted (`npm run bench -- dashboard` measures them against the budget).
    await watchLongFrames(page);
    const stream = await sendPacedStockEvents({
      graphqlUrl: server.graphqlUrl,
      token: artisanToken,
      adjustStock: print(AdjustStockDocument),
      productIds: streamedProductIds,
      startLevel: STREAM_START_LEVEL,
      events: STREAM_EVENTS_PER_SECOND * STREAM_SECONDS,
      eventsPerSecond: STREAM_EVENTS_PER_SECOND,
    });
    // Every event lands: each changed product shows its last level.
    await waitForLevels(page, stream.levels, 30_000);
    const longFrames = await longFramesSeen(page);
    const longest = [...longFrames].sort((a, b) => b.durationMs - a.durationMs)[0];
    streamFigures = {
      products: LARGE_SHOP_PRODUCTS,
      events: stream.events,
      eventsPerSecond: Math.round(stream.eventsPerSecond),
      framesOver50Ms: longFrames.length,
      longestFrameMs: longest ? Math.round(longest.durationMs) : 0,
    };
    console.log(
      `stream of ${stream.events} events at ${Math.round(stream.eventsPerSecond)}/s over ${LARGE_SHOP_PRODUCTS} products: ${longFrames.length} frames over 50 ms` +
        (longest ? ` (longest ${describeLongFrame(longest)})` : ''),
    );
  });

  it('stays readable at a phone’s width: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.locator(`tr[data-product-id="${productId}"]`).waitFor();
      const tooWide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1 && !element.closest('.table-scroll'))
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}`),
      );
      expect(tooWide).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('lets an operator pick any shop by its slug and watch its stock live, read-only', async () => {
    const operatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const operatorPage = await operatorContext.newPage();
    await signInOnDashboard(operatorPage, server.baseUrl, { email: 'admin@demo.atelier.test', password: DEMO_PASSWORDS.admin }, UI_TIMEOUT_MS);
    await operatorPage.getByTestId('shop-slug').fill(shopSlug);
    await operatorPage.getByRole('button', { name: 'Watch its stock' }).click();
    const row = operatorPage.locator(`tr[data-product-id="${productId}"]`);
    await row.locator('[data-testid="available"]', { hasText: String(level) }).waitFor({ timeout: LOAD_TIMEOUT_MS });
    await row.locator('button.link').click();
    await operatorPage.getByTestId('stock-history').locator('li').first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await operatorPage.locator('form.adjust').count()).toBe(0);
    expect(await operatorPage.getByText('read-only').count()).toBe(1);
    // The artisan's change reaches the operator's page live.
    dataOf(await sendAs(server.graphqlUrl, artisanToken, AdjustStockDocument, { productId, delta: -1, reason: 'chipped' }));
    level -= 1;
    await row.locator('[data-testid="available"]', { hasText: String(level) }).waitFor({ timeout: UI_TIMEOUT_MS });
    await row.locator('[data-testid="last-change"]', { hasText: '-1 · adjustment' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await operatorPage.screenshot({ path: join(SCREENSHOTS, 'operator.png') });
    await operatorContext.close();
    await waitForLevel(productId, level);
  });

  it('reconnects after a server restart and catches up on what changed meanwhile', async () => {
    const port = Number(new URL(server.baseUrl).port);
    await app.stop();
    await waitForConnectionState(page, 'reconnecting', UI_TIMEOUT_MS);
    await page.screenshot({ path: join(SCREENSHOTS, 'reconnecting.png') });
    // While the page is away, another instance of the API (same database) changes the stock.
    const other = await createApp({ config: { ...server.config, port: 0 }, logger: createLogger('silent'), database: server.database });
    const otherUrl = await other.listen();
    dataOf(await sendAs(`${otherUrl}/graphql`, artisanToken, AdjustStockDocument, { productId, delta: 7, reason: 'counted while offline' }));
    level += 7;
    await other.stop();
    // The server comes back on the same port.
    app = await createApp({ config: { ...server.config, port }, logger: createLogger('silent'), database: server.database });
    await app.listen();
    await waitForConnectionState(page, 'live', LOAD_TIMEOUT_MS);
    await waitForLevel(productId, level, LOAD_TIMEOUT_MS);
    expect(await page.getByTestId('resync').textContent()).toMatch(/^Reconnected: refreshed at /);
  });

  it('signs out: the session ends on the server and the page forgets it, also after a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const ownPage = await context.newPage();
    await signInOnDashboard(ownPage, server.baseUrl, { email: secondArtisanEmail, password: DEMO_PASSWORDS.artisan }, UI_TIMEOUT_MS);
    await ownPage.locator('tr[data-product-id]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const refreshCookie = (await context.cookies()).find((cookie) => cookie.name === 'atelier_refresh_token');
    expect(refreshCookie).toBeDefined();
    // The page forgets the session at once and then sends LogOut, whose answer clears the cookie: wait for that answer.
    const loggedOut = ownPage.waitForResponse((response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('LogOut'), {
      timeout: UI_TIMEOUT_MS,
    });
    await ownPage.getByRole('button', { name: 'Sign out' }).click();
    await ownPage.getByLabel('Email').waitFor({ timeout: UI_TIMEOUT_MS });
    expect((await loggedOut).ok()).toBe(true);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('atelier_refresh_token');
    // The session itself ended (the contract's LogOut, '' for the cookie): its refresh token no longer refreshes.
    const refreshed = await postGraphql(server.graphqlUrl, { query: print(RefreshSessionWithCookieDocument) }, { cookie: `atelier_refresh_token=${refreshCookie!.value}` });
    expect(refreshed.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    await ownPage.reload();
    await ownPage.getByLabel('Email').waitFor({ timeout: UI_TIMEOUT_MS });
    await context.close();
  });

  it('signs a demoted artisan’s page out as soon as the role changes, with the reason', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const demotedPage = await context.newPage();
    await signInOnDashboard(demotedPage, server.baseUrl, { email: secondArtisanEmail, password: DEMO_PASSWORDS.artisan }, UI_TIMEOUT_MS);
    await demotedPage.locator('tr[data-product-id]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    const someone = dataOf(await sendAs(server.graphqlUrl, undefined, LogInDocument, { email: secondArtisanEmail, password: DEMO_PASSWORDS.artisan }));
    // Nothing happens to the shop: the order feed ends at the role change itself, and the page says why.
    dataOf(await sendAs(server.graphqlUrl, adminToken, SetUserRoleDocument, { userId: someone.logIn!.user.id, role: 'BUYER' }));
    await demotedPage.getByTestId('sign-out-reason').getByText('no longer an artisan').waitFor({ timeout: UI_TIMEOUT_MS });
    await context.close();
  });

  it('signs a banned artisan’s page out, with the reason', async () => {
    dataOf(await sendAs(server.graphqlUrl, adminToken, BanUserDocument, { userId: artisanId, reason: 'browser test' }));
    await page.getByTestId('sign-out-reason').getByText('your account has been banned').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.screenshot({ path: join(SCREENSHOTS, 'banned.png') });
    // No script error and no Content-Security-Policy violation during the whole scenario.
    expect(pageErrors).toEqual([]);
  });
});
