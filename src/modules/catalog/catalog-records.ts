import { timestampOf, type SqlTimestamp } from '../../shared/sql';
import type { User } from '../accounts';
import type { ProductImageValue } from './product-image';

/*
 * The catalogue as its GraphQL types read it. Writes go through MikroORM's entities; the storefront's reads
 * (every executed `Catalog`, `Shops`, `ProductBySlug`, each product of a cart or an order line) map plain rows
 * to these records instead: creating, hydrating and registering entities in the identity map cost most of a
 * signed-in catalogue page's CPU (issue 16's profile) and bought nothing a read needs. An entity has every
 * field of its record, so field resolvers take either.
 */

/** What the `Product` type reads: an entity, or a row of {@link PRODUCT_COLUMNS}. */
export interface ProductRecord {
  id: string;
  shop: { id: string };
  category: { id: string };
  title: string;
  slug: string;
  description: string | null;
  priceAmount: number;
  currency: string;
  archived: boolean;
  available: number;
  stockVersion: number;
  images: ProductImageValue[];
  createdAt: Date;
  updatedAt: Date;
  /** The shop and category that the read joined beside the product, if it did: its fields answer with them. */
  joined?: ProductJoins;
}

/**
 * A product's relations as its read joined them. `Product.shop` and `Product.category` answer with these as plain
 * values, not through a loader's promise: a field that answers a promise makes graphql-js complete its whole
 * object asynchronously (a promise per object and per such field), the largest cost of an executed catalogue page
 * after its SQL (issue 16's profile).
 */
export interface ProductJoins {
  shop?: ShopRecord;
  category?: CategoryRecord;
}

/** What the `Shop` type reads: an entity, or a row of {@link SHOP_COLUMNS}. */
export interface ShopRecord {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  country: string;
  currency: string;
  owner: { id: string };
  createdAt: Date;
  /** The owner, when the read joined it (`ProductBySlug`): `Shop.owner` answers it as it is (see `ProductJoins`). */
  joined?: { owner: User };
}

/** What the `Category` type reads. */
export interface CategoryRecord {
  id: string;
  name: string;
  slug: string;
}

/** A product's columns, for a `select` from `product` aliased `alias`; read back by {@link productOfRow}. */
export function productColumns(alias: string): string {
  return `${alias}.id, ${alias}.shop_id, ${alias}.category_id, ${alias}.title, ${alias}.slug, ${alias}.description, ${alias}.price_amount,
    ${alias}.currency, ${alias}.archived, ${alias}.available, ${alias}.stock_version, ${alias}.images, ${alias}.created_at, ${alias}.updated_at`;
}

/** A shop's columns, each prefixed `shop_`, for a `select` from `shop` aliased `alias`; read back by {@link shopOfRow}. */
export function shopColumns(alias: string): string {
  return `${alias}.id as shop_id, ${alias}.name as shop_name, ${alias}.slug as shop_slug, ${alias}.description as shop_description,
    ${alias}.country as shop_country, ${alias}.currency as shop_currency, ${alias}.owner_id as shop_owner_id, ${alias}.created_at as shop_created_at`;
}

/** A category's columns, each prefixed `category_`; read back by {@link categoryOfRow}. */
export function categoryColumns(alias: string): string {
  return `${alias}.id as category_id, ${alias}.name as category_name, ${alias}.slug as category_slug`;
}

export interface ProductRow {
  id: string;
  shop_id: string;
  category_id: string;
  title: string;
  slug: string;
  description: string | null;
  price_amount: number;
  currency: string;
  archived: boolean;
  available: number;
  stock_version: number;
  images: ProductImageValue[] | null;
  created_at: SqlTimestamp;
  updated_at: SqlTimestamp;
}

export interface ShopRow {
  shop_id: string;
  shop_name: string;
  shop_slug: string;
  shop_description: string | null;
  shop_country: string;
  shop_currency: string;
  shop_owner_id: string;
  shop_created_at: SqlTimestamp;
}

export interface CategoryRow {
  category_id: string;
  category_name: string;
  category_slug: string;
}

/** A product of its row; `joined`: the records read in the same row, if any. */
export function productOfRow(row: ProductRow, joined?: ProductJoins): ProductRecord {
  return {
    id: row.id,
    shop: { id: row.shop_id },
    category: { id: row.category_id },
    title: row.title,
    slug: row.slug,
    description: row.description,
    priceAmount: row.price_amount,
    currency: row.currency,
    archived: row.archived,
    available: row.available,
    stockVersion: row.stock_version,
    images: row.images ?? [],
    createdAt: timestampOf(row.created_at),
    updatedAt: timestampOf(row.updated_at),
    joined,
  };
}

/** A shop of its row; `joined`: its owner, when the row holds it too. */
export function shopOfRow(row: ShopRow, joined?: { owner: User }): ShopRecord {
  return {
    id: row.shop_id,
    name: row.shop_name,
    slug: row.shop_slug,
    description: row.shop_description,
    country: row.shop_country,
    currency: row.shop_currency,
    owner: { id: row.shop_owner_id },
    createdAt: timestampOf(row.shop_created_at),
    joined,
  };
}

export function categoryOfRow(row: CategoryRow): CategoryRecord {
  return { id: row.category_id, name: row.category_name, slug: row.category_slug };
}
