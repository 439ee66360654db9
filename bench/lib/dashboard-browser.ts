import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The dashboard driven in headless Chromium through playwright-core: what the browser test
 * (tests/browser/dashboard.test.ts) and the `dashboard` benchmark (bench/scenarios/dashboard.ts) both do to it.
 *
 * The functions given to `page.evaluate` run in the page, serialised: they may use nothing of this module's
 * scope. They reach the page's globals through {@link PageGlobals}, declared here because this module is also
 * compiled by the bench's build, which has no DOM types (and must not: nothing else there may see DOM globals).
 */

/** The issue's load on the page: a shop of 500 products, 50 stock events a second. */
export const DASHBOARD_LOAD = { products: 500, eventsPerSecond: 50 } as const;

/** Debian's chromium package (`apt-get install -y chromium`; `.ci/run` installs it like redis-server). `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium from {@link CHROMIUM_PATH} (playwright-core downloads no browser of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** The page's globals that the functions run in it use (a subset of the DOM's types). */
interface PageElement {
  textContent: string | null;
  value: string;
  querySelector(selector: string): PageElement | null;
  hasAttribute(name: string): boolean;
  requestSubmit(): void;
}
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): ArrayLike<PageElement & { getAttribute(name: string): string | null }> };
  fetch(input: unknown, init?: { body?: unknown }): Promise<{ clone(): { text(): Promise<string> } }>;
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void; disconnect(): void };
  PerformanceObserver: new (callback: (list: { getEntries(): LongAnimationFrame[] }) => void) => { observe(options: object): void };
  /** Where {@link watchLongFrames} keeps what it saw. */
  atelierLongFrames?: LongFrame[];
}
/** Chromium's long-animation-frame entry, as much of it as is read here. */
interface LongAnimationFrame {
  startTime: number;
  duration: number;
  blockingDuration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { duration: number; invoker: string; sourceFunctionName: string; sourceURL: string; forcedStyleAndLayoutDuration: number }[];
}

/** A frame that took longer than 50 ms (Chromium's long-animation-frame entries), and what it spent its time on. */
export interface LongFrame {
  /** When it started, in ms after {@link watchLongFrames}. */
  atMs: number;
  durationMs: number;
  /** Of which tasks over 50 ms beyond their first 50 ms (the entry's blockingDuration). */
  blockingMs: number;
  /** Rendering at the frame's end: style, layout, paint. */
  renderMs: number;
  /** The scripts that ran in it, longest first: `invoker (function) duration ms`. */
  scripts: string[];
}

/** Signs in through the page's form and waits until its socket is live. */
export async function signInOnDashboard(page: Page, baseUrl: string, credentials: { email: string; password: string }, timeoutMs: number): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForConnectionState(page, 'live', timeoutMs);
}

/** Waits until the header's connection state is `state` (live, reconnecting…). */
export async function waitForConnectionState(page: Page, state: string, timeoutMs: number): Promise<void> {
  await page.locator(`[data-testid="connection-state"][data-state="${state}"]`).waitFor({ timeout: timeoutMs });
}

/**
 * Starts recording the page's long animation frames (over 50 ms) that end from now on; {@link longFramesSeen}
 * reads them. Recording again starts afresh.
 */
export async function watchLongFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const win = globalThis as unknown as PageGlobals;
    const frames: LongFrame[] = [];
    const since = performance.now();
    win.atelierLongFrames = frames;
    new win.PerformanceObserver((list) => {
      // A recording started later replaces this one: stop filling the old list.
      if (win.atelierLongFrames !== frames) return;
      for (const entry of list.getEntries()) {
        const end = entry.startTime + entry.duration;
        // A frame that ended before the recording started may still be reported after it: not one of its frames.
        if (end <= since) continue;
        frames.push({
          atMs: entry.startTime - since,
          durationMs: entry.duration,
          blockingMs: entry.blockingDuration,
          renderMs: entry.renderStart ? end - entry.renderStart : 0,
          scripts: [...entry.scripts]
            .sort((a, b) => b.duration - a.duration)
            .map((script) => `${script.invoker}${script.sourceFunctionName ? ` (${script.sourceFunctionName})` : ''} ${Math.round(script.duration)} ms`),
        });
      }
    }).observe({ type: 'long-animation-frame' });
  });
}

/** The long frames recorded since {@link watchLongFrames}. */
export async function longFramesSeen(page: Page): Promise<LongFrame[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).atelierLongFrames ?? []);
}

/** A long frame in one line, for a report. */
export function describeLongFrame(frame: LongFrame): string {
  const scripts = frame.scripts.length ? `; scripts: ${frame.scripts.slice(0, 3).join(', ')}${frame.scripts.length > 3 ? `, +${frame.scripts.length - 3}` : ''}` : '';
  return `${Math.round(frame.durationMs)} ms at +${Math.round(frame.atMs)} ms (blocking ${Math.round(frame.blockingMs)} ms, rendering ${Math.round(frame.renderMs)} ms${scripts})`;
}

/** The number a product's row shows. */
export async function levelShown(page: Page, productId: string): Promise<string | null> {
  return page.locator(`tr[data-product-id="${productId}"] [data-testid="available"]`).textContent();
}

/**
 * Waits until every product of `levels` shows its level. Polls every 100 ms with one pass over the rows rather
 * than on every animation frame (Playwright's default): a check of hundreds of rows in each frame would itself
 * make the long frames that the stream is measured by.
 */
export async function waitForLevels(page: Page, levels: ReadonlyMap<string, number>, timeoutMs: number): Promise<void> {
  const wanted = [...levels].map(([id, level]) => [id, String(level)] as [string, string]);
  await page.waitForFunction(checkLevels, { wanted, count: false }, { timeout: timeoutMs, polling: 100 }).catch(async (error: unknown) => {
    const missing = await page.evaluate(checkLevels, { wanted, count: true });
    const state = await page.getByTestId('connection-state').textContent();
    const resync = await page.getByTestId('resync').textContent();
    throw new Error(`${String(missing)} of ${wanted.length} levels not shown (connection ${state}; ${resync}): ${String(error)}`, { cause: error });
  });
}

/** Run in the page: whether every row of `wanted` shows its level, or (`count`) how many do not. */
function checkLevels({ wanted, count }: { wanted: [string, string][]; count: boolean }): boolean | number {
  const shown = new Map<string, string | null>();
  for (const row of Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('tr[data-product-id]'))) {
    shown.set(row.getAttribute('data-product-id')!, row.querySelector('[data-testid="available"]')?.textContent ?? null);
  }
  const missing = wanted.filter(([id, text]) => shown.get(id) !== text).length;
  return count ? missing : missing === 0;
}

/** What {@link sendPacedStockEvents} sent. */
export interface StockStream {
  /** The level each changed product must show at the end. */
  levels: Map<string, number>;
  events: number;
  /** Events per second reached by the sender (it may fall behind its pace on a loaded machine). */
  eventsPerSecond: number;
}

/**
 * A stream of stock events: `events` AdjustStock(+1) over `productIds` (every 7th, round the list, so that
 * neighbouring rows change in turn), one every 1/`eventsPerSecond` s, each on its own request without waiting for
 * the previous answer, as many artisans' tills would. `startLevels` is every product's level before the stream.
 * Rejects when a request fails.
 */
export async function sendPacedStockEvents(options: {
  graphqlUrl: string;
  token: string;
  /** The contract's AdjustStock, as text. */
  adjustStock: string;
  productIds: readonly string[];
  startLevel: number;
  events: number;
  eventsPerSecond: number;
}): Promise<StockStream> {
  const { productIds, events, eventsPerSecond } = options;
  const levels = new Map<string, number>();
  const sent: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const productId = productIds[(i * 7) % productIds.length]!;
    levels.set(productId, (levels.get(productId) ?? options.startLevel) + 1);
    sent.push(
      fetch(options.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ query: options.adjustStock, variables: { productId, delta: 1, reason: 'stream' } }),
      })
        .then((response) => response.json() as Promise<{ errors?: unknown[] }>)
        .then((body) => {
          if (body.errors) throw new Error(`AdjustStock failed: ${JSON.stringify(body.errors)}`);
        }),
    );
    // The pace: the i-th event leaves at i / eventsPerSecond s, whatever the previous ones cost.
    const next = started + ((i + 1) * 1000) / eventsPerSecond;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(sent);
  return { levels, events, eventsPerSecond: (events * 1000) / (performance.now() - started) };
}

/**
 * From each AdjustStock response to the new number in the product's row, in ms, over `count` adjustments of +1
 * made through the product panel's form (which must be open on `productId`, whose level is `startLevel`). Timed
 * in the page: the response's arrival as the page's own fetch sees it (Apollo's HttpLink calls window.fetch), the
 * number's arrival by a MutationObserver on its cell.
 */
export async function measureAdjustToScreen(page: Page, productId: string, startLevel: number, count: number): Promise<number[]> {
  return page.evaluate(
    async ({ id, start, count }) => {
      const win = globalThis as unknown as PageGlobals;
      const originalFetch = win.fetch;
      let answeredAt = 0;
      win.fetch = async (input, init) => {
        const response = await originalFetch(input, init);
        if (typeof init?.body === 'string' && init.body.includes('"operationName":"AdjustStock"')) {
          void response
            .clone()
            .text()
            .then(() => (answeredAt = performance.now()));
        }
        return response;
      };
      const form = win.document.querySelector('form.adjust')!;
      const cell = () => win.document.querySelector(`tr[data-product-id="${id}"] td.num`)!;
      const measured: number[] = [];
      try {
        for (let i = 1; i <= count; i++) {
          const expected = String(start + i);
          const shownAt = new Promise<number>((resolve) => {
            const observer = new win.MutationObserver(() => {
              if (cell().textContent === expected) {
                observer.disconnect();
                resolve(performance.now());
              }
            });
            observer.observe(cell(), { subtree: true, childList: true, characterData: true });
          });
          form.querySelector('[name="delta"]')!.value = '1';
          form.querySelector('[name="reason"]')!.value = `measured restock ${i}`;
          form.requestSubmit();
          const shown = await shownAt;
          // The clone's body may resolve a moment after Apollo's: wait for it, then count from the response.
          while (!answeredAt) await new Promise((resolve) => setTimeout(resolve, 1));
          measured.push(Math.max(0, shown - answeredAt));
          answeredAt = 0;
          // The next round starts once the form is free again.
          while (form.querySelector('button[type="submit"]')!.hasAttribute('disabled')) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        win.fetch = originalFetch;
      }
      return measured;
    },
    { id: productId, start: startLevel, count },
  );
}

/**
 * A buyer's checkout of `quantity` units of a product, made with the buyer's access token from a page of a browser
 * context of its own (nothing shared with the artisan's page), on the dashboard's origin (whose CSP lets a page
 * fetch /graphql; the API's own answers forbid it). Resolves with the order's number and when its answer
 * arrived, in ms since the epoch by the browser's clock.
 */
export async function checkoutFromBrowser(
  browser: Browser,
  baseUrl: string,
  options: { token: string; productId: string; quantity: number; address: object; documents: { addToCart: string; checkout: string } },
): Promise<{ number: string; answeredAt: number }> {
  const context = await browser.newContext();
  try {
    const buyerPage = await context.newPage();
    await buyerPage.goto(`${baseUrl}/dashboard/`);
    return await buyerPage.evaluate(
      async ({ token, productId, quantity, address, documents }) => {
        const post = async (query: string, variables: object) => {
          const response = await fetch('/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          });
          const body = (await response.json()) as { data: Record<string, { number?: string }>; errors?: unknown[] };
          if (body.errors) throw new Error(JSON.stringify(body.errors));
          return body.data;
        };
        await post(documents.addToCart, { productId, quantity });
        const order = (await post(documents.checkout, { input: { idempotencyKey: crypto.randomUUID(), shippingAddress: address } })).checkout!;
        return { number: order.number!, answeredAt: performance.timeOrigin + performance.now() };
      },
      options,
    );
  } finally {
    await context.close();
  }
}

/**
 * Waits until the artisan's page shows a product at `level` and the order `orderNumber` in its list; resolves
 * with when it first did, in ms since the epoch by the browser's clock (checked on every animation frame).
 */
export async function waitForCheckoutShown(page: Page, options: { productId: string; level: number; orderNumber: string; timeoutMs: number }): Promise<number> {
  const handle = await page.waitForFunction(
    ({ productId, level, orderNumber }) => {
      const { document } = globalThis as unknown as PageGlobals;
      const levelShown = document.querySelector(`tr[data-product-id="${productId}"] [data-testid="available"]`)?.textContent === level;
      const orderShown = document.querySelector(`li.order[data-order-number="${orderNumber}"]`) !== null;
      return levelShown && orderShown && performance.timeOrigin + performance.now();
    },
    { productId: options.productId, level: String(options.level), orderNumber: options.orderNumber },
    { timeout: options.timeoutMs },
  );
  return (await handle.jsonValue()) as number;
}
