import { contractOperation, post, quantile, seedRace, type CommerceBenchTarget } from './commerce-fixtures';

export interface CheckoutRaceOptions {
  /** Buyers racing, each for one unit. Default 500. */
  buyers?: number;
  /** Units in stock. Default 50. */
  units?: number;
}

export interface CheckoutRaceResult {
  buyers: number;
  units: number;
  /** Checkouts that got an order, and those refused with OUT_OF_STOCK. */
  won: number;
  outOfStock: number;
  /** Any other outcome: a bug. */
  otherErrors: number;
  durationMs: number;
  checkoutsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Whether the numbers add up: orders = units sold = min(buyers, units), stock left = units - sold. */
  consistent: boolean;
}

/**
 * The last units of a popular product: `buyers` buyers, each with one unit in the cart, send Checkout at
 * once. Measures checkouts per second and latency under contention on one row, and checks that exactly
 * `min(buyers, units)` orders were made (no oversell). The server must be started and migrated.
 */
export async function runCheckoutRace(target: CommerceBenchTarget, options: CheckoutRaceOptions = {}): Promise<CheckoutRaceResult> {
  const buyers = options.buyers ?? 500;
  const units = options.units ?? 50;
  const seed = await seedRace(target, { buyers, units });
  try {
    const addToCart = contractOperation('storefront', 'AddToCart');
    const checkout = contractOperation('storefront', 'Checkout');
    for (let i = 0; i < seed.buyerTokens.length; i += 50) {
      await Promise.all(seed.buyerTokens.slice(i, i + 50).map((token) => post(target.graphqlUrl, token, addToCart, { productId: seed.productId, quantity: 1 })));
    }
    const latencies: number[] = [];
    const started = performance.now();
    const results = await Promise.all(
      seed.buyerTokens.map(async (token) => {
        const t0 = performance.now();
        const body = await post(target.graphqlUrl, token, checkout, {
          input: { idempotencyKey: 'bench', shippingAddress: { name: 'Bench', line1: '1 rue', city: 'Lyon', postalCode: '69001', country: 'FR' } },
        });
        latencies.push(performance.now() - t0);
        return body.errors?.[0]?.extensions?.code ?? 'ok';
      }),
    );
    const durationMs = performance.now() - started;
    const won = results.filter((code) => code === 'ok').length;
    const outOfStock = results.filter((code) => code === 'OUT_OF_STOCK').length;
    const sold = Math.min(buyers, units);
    const after = await seed.outcome();
    return {
      buyers,
      units,
      won,
      outOfStock,
      otherErrors: results.length - won - outOfStock,
      durationMs,
      checkoutsPerSecond: (results.length / durationMs) * 1_000,
      latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: Math.max(...latencies) },
      consistent: won === sold && after.orders === sold && after.available === units - sold,
    };
  } finally {
    await seed.close();
  }
}
