import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import { newId } from '../../shared/ids';
import { Category } from './category.entity';
import { ProductImage, type ProductImageValue } from './product-image';
import { Shop } from './shop.entity';

@ObjectType({ description: 'A product on sale in a shop.' })
@Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
@Entity()
// Keyset pagination orders by id (UUIDv7, newest first) within each filter.
@Index({ properties: ['shop', 'id'] })
@Index({ properties: ['category', 'id'] })
@Check({ name: 'product_available_not_negative', expression: 'available >= 0' })
@Check({ name: 'product_price_amount_not_negative', expression: 'price_amount >= 0' })
@Check({ name: 'product_initial_stock_not_negative', expression: 'initial_stock >= 0' })
export class Product {
  @Field(() => ID, { description: 'Unique id of the product.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Shop, { ref: true, deleteRule: 'restrict', index: false })
  shop!: Ref<Shop>;

  @ManyToOne(() => Category, { ref: true, deleteRule: 'restrict', index: false })
  category!: Ref<Category>;

  @Field({ description: 'The name shown to buyers.' })
  @Property({ type: 'text' })
  title!: string;

  @Field({ description: 'Unique, URL-safe.' })
  @Property({ type: 'text', unique: true })
  slug!: string;

  @Field(() => String, { nullable: true, description: "The artisan's text about the product; null when none." })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** Price in the minor unit of `currency`. */
  @Property({ type: 'integer' })
  priceAmount!: number;

  /** Copied from the shop when the product is created (a shop's currency never changes): no join to price a product. */
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /**
   * Withdrawn by its artisan: out of the catalogue, search and shop pages, refused by carts; orders and carts
   * that hold it still show it. `updateProduct(archived: false)` lists it again.
   */
  @Field(() => Boolean, { description: 'Withdrawn from sale: not listed in the catalogue, search or shop pages, and refused by carts. Orders that hold it keep it.' })
  @Property({ type: 'boolean', default: false })
  archived: Opt<boolean> = false;

  @Field(() => Int, { description: 'Units available to buy now. Never negative.' })
  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.stock }))
  @Property({ type: 'integer' })
  available = 0;

  /**
   * The stock the product was created with. Every later change is a movement of the stock ledger, so that
   * `available = initialStock + sum(movements.delta)` always (see `inventory/stock-ledger.ts`).
   * Set from `available` when the product is first written, unless given.
   */
  @Property({ type: 'integer', onCreate: (product: Product) => product.available })
  initialStock?: number;

  /** Grows by one with every change of `available`; the stock ledger and live stock events carry it. */
  @Field(() => Int, {
    description:
      'Grows by one with each change of `available`: the `version` of the LiveStock event that made it. A client that sees an event whose version is not one more than this missed a change: refetch.',
  })
  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.stock }))
  @Property({ type: 'integer' })
  stockVersion = 0;

  /** Its images, in display order (jsonb: at most 8 small objects, always read with the product). */
  @Field(() => [ProductImage], { description: 'Its images, in display order (at most 8); empty when it has none.' })
  @Property({ type: 'json', defaultRaw: "'[]'" })
  images: Opt<ProductImageValue[]> = [];

  /** Full-text search document, maintained by PostgreSQL itself. */
  @Index({ type: 'fulltext' })
  @Property({
    type: 'tsvector',
    lazy: true,
    hidden: true,
    nullable: true,
    generated: "(to_tsvector('simple'::regconfig, title || ' ' || coalesce(description, ''))) stored",
  })
  searchVector?: string;

  @Field({ description: 'When it was listed.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field({ description: 'When it last changed, its stock included.' })
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
