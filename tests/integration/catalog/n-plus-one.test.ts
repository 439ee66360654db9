import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import type { StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { CatalogDocument } from '../../generated/graphql';
import { postGraphql } from '../../utils/clients';
import { startCountedServer, type CountedServer } from '../../utils/counted-server';
import type { TestServer } from '../../utils/test-server';

/**
 * The contract's `Shops` operation, plus the relations that would each cost a statement per parent without
 * loaders: every shop's owner, and every product's category and shop (many-to-one below a nested list).
 *
 * The owner is asked on the shop, not as `products { edges { node { shop { owner { … } } } } }`: that is 8
 * levels of nested selections, and the server refuses anything deeper than 7 (QUERY_LIMITS.maxDepth) with
 * QUERY_TOO_COMPLEX. The same loaders (shop by id, user by id) are exercised either way.
 */
const SHOPS_WITH_RELATIONS = /* GraphQL */ `
  query ShopsWithRelations($first: Int!, $after: String, $productsFirst: Int!) {
    shops(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          name
          slug
          country
          owner { id displayName }
          products(first: $productsFirst) {
            totalCount
            edges {
              node {
                id
                title
                available
                price { amount currency }
                category { id name }
                shop { id name }
              }
            }
          }
        }
      }
    }
  }
`;

interface ShopsWithRelationsData {
  shops: {
    edges: Array<{
      node: {
        id: string;
        owner: { id: string; displayName: string };
        products: {
          totalCount: number;
          edges: Array<{ node: { id: string; category: { id: string; name: string }; shop: { id: string; name: string } } }>;
        };
      };
    }>;
  };
}

interface CountedRun<T> {
  data: T;
  count: number;
  statements: readonly string[];
}

describe('statements per catalogue query (no N+1)', () => {
  let setup: CountedServer;
  let counter: StatementCounter;
  let server: TestServer;

  beforeAll(async () => {
    setup = await startCountedServer();
    ({ counter, server } = setup);
    // 3 000 products make 60 shops of 50 products: more shops than the largest page asked for below.
    await seedDemoCatalog(server.database.orm, { products: 3_000 });
    // One query first, so that the pool's first-connection chores (knex's `select version()`) are behind us.
    await counted(SHOPS_WITH_RELATIONS, { first: 1, productsFirst: 1 });
  });
  afterAll(() => setup?.close());

  /** Runs one operation and counts the statements that PostgreSQL received for it alone. */
  async function counted<T>(query: string, variables: Record<string, unknown>): Promise<CountedRun<T>> {
    counter.reset();
    const response = await postGraphql(server.graphqlUrl, { query, variables });
    expect(response.body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    return { data: response.body.data as T, count: counter.count, statements: [...counter.statements] };
  }

  /** Runs `assertions`; if one fails, the failure lists every statement of the runs, to show what multiplied. */
  function explainingStatements(runs: Record<string, CountedRun<unknown>>, assertions: () => void): void {
    try {
      assertions();
    } catch (error) {
      const listing = Object.entries(runs)
        .map(([name, run]) => `${name}: ${run.count} statements\n${run.statements.map((sql, i) => `  ${i + 1}. ${sql.replace(/\s+/g, ' ')}`).join('\n')}`)
        .join('\n\n');
      throw new Error(`${(error as Error).message}\n\n${listing}`, { cause: error });
    }
  }

  it('should read 50 shops with 10 products each, their categories and owners, in 3 statements, as few as 2 shops with 2 products', async () => {
    const large = await counted<ShopsWithRelationsData>(SHOPS_WITH_RELATIONS, { first: 50, productsFirst: 10 });
    const small = await counted<ShopsWithRelationsData>(SHOPS_WITH_RELATIONS, { first: 2, productsFirst: 2 });

    // The answers are whole: the counts below are of queries that did all their work.
    expect(large.data.shops.edges).toHaveLength(50);
    for (const { node: shop } of large.data.shops.edges) {
      expect(shop.owner.displayName).toEqual(expect.any(String));
      expect(shop.products.totalCount).toBe(50);
      expect(shop.products.edges).toHaveLength(10);
      for (const { node: product } of shop.products.edges) {
        expect(product.category.name).toEqual(expect.any(String));
        expect(product.shop.id).toBe(shop.id);
      }
    }
    expect(small.data.shops.edges).toHaveLength(2);
    expect(small.data.shops.edges[0]!.node.products.edges).toHaveLength(2);

    explainingStatements({ 'first: 50, productsFirst: 10': large, 'first: 2, productsFirst: 2': small }, () => {
      expect(large.count).toBe(small.count);
      // Shops; their products with each category and their counts; their owners.
      expect(large.count).toBeLessThanOrEqual(3);
    });
  });

  it('should read a catalogue page of 50 with shops, categories and totalCount in one statement, as a page of 2', async () => {
    const query = print(CatalogDocument);
    const large = await counted<{ products: { totalCount: number; edges: unknown[] } }>(query, { first: 50 });
    const small = await counted<{ products: { totalCount: number; edges: unknown[] } }>(query, { first: 2 });

    expect(large.data.products.totalCount).toBe(3_000);
    expect(large.data.products.edges).toHaveLength(50);
    expect(small.data.products.edges).toHaveLength(2);

    explainingStatements({ 'Catalog first: 50': large, 'Catalog first: 2': small }, () => {
      expect(large.count).toBe(small.count);
      // The page joins each product's shop and category, and carries the exact count beside it.
      expect(large.count).toBe(1);
    });
  });
});
