import { allow } from 'graphql-shield';
import { openFields, type RuleTree } from '../../shared/rule-tree';
import { hasRole, isArtisan, Role } from '../accounts';

/**
 * The catalogue is public: anyone, logged in or not, may browse it. Artisans write their own shop and products
 * (the services check ownership); an ADMIN may change any product.
 */
export const catalogRules: RuleTree = {
  Query: { products: allow, product: allow, shop: allow, shops: allow, categories: allow },
  Mutation: { createShop: isArtisan, updateShop: isArtisan, createProduct: isArtisan, updateProduct: hasRole(Role.ARTISAN, Role.ADMIN) },
  Product: openFields(['id', 'title', 'slug', 'description', 'archived', 'available', 'stockVersion', 'images', 'price', 'shop', 'category', 'createdAt', 'updatedAt']),
  ProductImage: openFields(['url', 'alt']),
  Shop: openFields(['id', 'name', 'slug', 'description', 'country', 'currency', 'owner', 'products', 'createdAt']),
  Category: openFields(['id', 'name', 'slug']),
  ProductConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  ProductEdge: openFields(['cursor', 'node']),
  ShopConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  ShopEdge: openFields(['cursor', 'node']),
};
