import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { createQueryCost } from '../../../src/graphql/cost/query-cost';

const schema = buildSchema(`
  type Query { products(first: Int!): ProductConnection! }
  type ProductConnection { totalCount: Int! edges: [Edge!]! }
  type Edge { node: Product! }
  type Product { id: ID! shop: Shop! }
  type Shop { id: ID! }
`);

describe('the query cost', () => {
  const cost = createQueryCost(schema, 1_000);
  const document = parse('query Catalog($first: Int!) { products(first: $first) { totalCount edges { node { id shop { id } } } } }');

  it('should price a page by its variables, and the same document again by its new variables, not by a remembered cost', () => {
    // products: 1 + first × (edges 1 + node 1 + shop 1).
    expect(cost.measure(document, 'Catalog', { first: 20 })).toEqual({ kind: 'measured', cost: 61 });
    expect(cost.measure(document, 'Catalog', { first: 20 })).toEqual({ kind: 'measured', cost: 61 });
    expect(cost.measure(document, 'Catalog', { first: 100 })).toEqual({ kind: 'measured', cost: 301 });
    expect(cost.measure(document, 'Catalog', { first: 20 })).toEqual({ kind: 'measured', cost: 61 });
    // Another parse of the same text is another document: measured on its own.
    expect(cost.measure(parse('query Catalog($first: Int!) { products(first: $first) { totalCount } }'), 'Catalog', { first: 20 })).toEqual({ kind: 'measured', cost: 1 });
  });

  it('should refuse an operation above the limit however often it came before, and measure variables too long to remember each time', () => {
    for (let i = 0; i < 3; i += 1) expect(cost.check(document, 'Catalog', { first: 100, padding: 'x'.repeat(2_000) })).toBe(301);
    const tooDeep = parse('query Deep($first: Int!) { a: products(first: $first) { edges { node { shop { id } } } } b: products(first: $first) { edges { node { shop { id } } } } c: products(first: $first) { edges { node { shop { id } } } } d: products(first: $first) { edges { node { shop { id } } } } }');
    for (let i = 0; i < 2; i += 1) expect(cost.check(tooDeep, 'Deep', { first: 100 })).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', cost: 1_204, limit: 1_000 } });
  });
});
