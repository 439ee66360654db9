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

  it('should refuse an operation above the limit however often it came before, whatever its other variables', () => {
    for (let i = 0; i < 3; i += 1) expect(cost.check(document, 'Catalog', { first: 100, padding: 'x'.repeat(2_000 + i) })).toBe(301);
    const tooDeep = parse('query Deep($first: Int!) { a: products(first: $first) { edges { node { shop { id } } } } b: products(first: $first) { edges { node { shop { id } } } } c: products(first: $first) { edges { node { shop { id } } } } d: products(first: $first) { edges { node { shop { id } } } } }');
    for (let i = 0; i < 2; i += 1) expect(cost.check(tooDeep, 'Deep', { first: 100 })).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', cost: 1_204, limit: 1_000 } });
  });

  it('should remember a cost by the page sizes alone, and never remember invalid variables as the cost of valid ones', () => {
    const checkoutLike = parse(
      'query Order($first: Int!, $note: String!) { products(first: $first) { edges { node { id } } } again: products(first: 2) { totalCount } n: products(first: $first) { totalCount } }',
    );
    const schemaWithNote = buildSchema(`
      type Query { products(first: Int!, note: String): ProductConnection! }
      type ProductConnection { totalCount: Int! edges: [Edge!]! }
      type Edge { node: Product! }
      type Product { id: ID! }
    `);
    const priced = createQueryCost(schemaWithNote, 1_000);
    // A note of the wrong type: execution refuses it, it costs 1, and it is not remembered as the cost of the valid
    // request with the same page size that follows.
    expect(priced.measure(checkoutLike, 'Order', { first: 5, note: 42 })).toEqual({ kind: 'invalid-variables' });
    expect(priced.check(checkoutLike, 'Order', { first: 5, note: 42 })).toBe(1);
    // edges: 1 + 5 × (edges 1 + node 1); the two counts 1 each.
    expect(priced.measure(checkoutLike, 'Order', { first: 5, note: 'a' })).toEqual({ kind: 'measured', cost: 13 });
    // Another note, the same page size: the same cost (remembered); another page size: its own.
    expect(priced.measure(checkoutLike, 'Order', { first: 5, note: 'b' })).toEqual({ kind: 'measured', cost: 13 });
    expect(priced.measure(checkoutLike, 'Order', { first: 10, note: 'b' })).toEqual({ kind: 'measured', cost: 23 });
    // A page size that is not a number: invalid, whatever was remembered for the others.
    expect(priced.measure(checkoutLike, 'Order', { first: 'five', note: 'a' })).toEqual({ kind: 'invalid-variables' });
  });
});
