import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createCatalogLoaders } from '../../../src/modules/catalog/catalog.loaders';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop } from '../../fixtures/shops';
import { startTestServer, type TestServer } from '../../utils/test-server';

/**
 * A shop's nested products page is one statement over every shop of the parent page, joined with each product's
 * category. Past a few hundred products PostgreSQL may pick a hash join for that category, which does not keep the
 * order of the LATERAL pages: the statement must order its rows itself, or a page's `endCursor` is not its oldest
 * product and the next page repeats products (the dashboard once listed 598 rows for 500).
 */
describe("a shop's products page, whatever join PostgreSQL picks", () => {
  let server: TestServer;
  let shops: string[];

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shops = [];
    for (let i = 0; i < 2; i += 1) {
      const shop = await createShop(server);
      await createProducts(server, shop, Array.from({ length: 60 }, () => ({})));
      shops.push(shop.id);
    }
  });
  afterAll(() => server?.close());

  it('should list each page newest first and page through every product once, with nested loops or hash joins', async () => {
    for (const joins of ['default', 'hash joins only'] as const) {
      await server.database.orm.em.fork().transactional(async (em: EntityManager) => {
        if (joins === 'hash joins only') await runSql(em, 'set local enable_nestloop = off; set local enable_mergejoin = off');
        for (const shopId of shops) {
          const seen: string[] = [];
          let afterId: string | null = null;
          for (;;) {
            const loaders = createCatalogLoaders(em);
            // Both shops in one batch, as a page of shops asks for them.
            const [page] = await Promise.all(
              [shopId, ...shops.filter((id) => id !== shopId)].map((id) =>
                loaders.productsOfShop.load({ shopId: id, limit: 26, afterId, includeArchived: false, withCounts: true }),
              ),
            );
            const rows = page!.slice(0, 25);
            expect(rows.map((product) => product.id)).toEqual([...rows.map((product) => product.id)].sort().reverse());
            expect(rows.every((product) => product.shop.id === shopId)).toBe(true);
            seen.push(...rows.map((product) => product.id));
            if (page!.length <= 25) break;
            afterId = rows[rows.length - 1]!.id;
          }
          expect(seen).toHaveLength(60);
          expect(new Set(seen).size).toBe(60);
        }
      });
    }
  });
});
