import { Entity, PrimaryKey, Property, OneToOne, type Ref } from '@mikro-orm/core';
import { v5 as uuidv5 } from 'uuid';
import { User } from '../accounts';

/** Namespace of the cart ids: a buyer's cart id is derived from the buyer's id, so it exists before its row. */
const CART_NAMESPACE = '8f4f7d1e-3c59-4f57-9a43-2f4b0c6a1d2e';

/** The id of a buyer's cart, the same before and after the cart's row is written. */
export function cartIdOf(buyerId: string): string {
  return uuidv5(buyerId, CART_NAMESPACE);
}

/**
 * A buyer's cart: one per buyer, written on the first AddToCart. Its row is also what serialises the buyer's
 * cart changes and checkouts (`SELECT … FOR UPDATE`).
 */
@Entity()
export class Cart {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @OneToOne(() => User, { ref: true, owner: true, unique: true, deleteRule: 'cascade' })
  buyer!: Ref<User>;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
