import { allow } from 'graphql-shield';
import { openFields, type RuleTree } from '../../graphql/permissions-tree';

/** The catalogue is public: anyone, logged in or not, may browse it. */
export const catalogRules: RuleTree = {
  Query: { products: allow, product: allow, shops: allow, categories: allow },
  Product: openFields(['id', 'title', 'slug', 'description', 'available', 'price', 'shop', 'category', 'createdAt', 'updatedAt']),
  Shop: openFields(['id', 'name', 'slug', 'description', 'country', 'currency', 'owner', 'products', 'createdAt']),
  Category: openFields(['id', 'name', 'slug']),
  ProductConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  ProductEdge: openFields(['cursor', 'node']),
  ShopConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  ShopEdge: openFields(['cursor', 'node']),
};
