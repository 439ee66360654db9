import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { BadUserInputError, NotFoundError } from '../../shared/errors';
import { isId, newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { requireViewer } from '../accounts';
import { OutOfStockError } from '../inventory';
import { cartIdOf } from './cart.entity';
import { MAX_LINE_QUANTITY } from './cart-line.entity';
import type { CartLineView, CartView } from './cart.types';

/** Distinct products a cart holds at most: keeps a checkout (one locked row per line) small. */
export const MAX_CART_LINES = 50;

/**
 * The buyer's cart, in PostgreSQL. Each change writes the cart row first (`INSERT … ON CONFLICT DO UPDATE`),
 * which locks it: a buyer's cart changes and checkouts run one at a time.
 */
export const cartService = {
  async get(ctx: ServiceScope): Promise<CartView> {
    return readCart(ctx.em, buyerOf(ctx));
  },

  /** Adds `quantity` units (1 to 99) to the product's line; the line may not pass 99. */
  async add(ctx: ServiceScope, productId: string, quantity: number): Promise<CartView> {
    checkQuantity(quantity, 1);
    return changeLine(ctx, productId, (current) => {
      const next = current + quantity;
      if (next > MAX_LINE_QUANTITY) {
        throw new BadUserInputError('quantity', `A cart line holds at most ${MAX_LINE_QUANTITY} units; it has ${current} already`);
      }
      return next;
    });
  },

  /** Sets the product's line to `quantity` (1 to 99), or removes it with 0. */
  async setQuantity(ctx: ServiceScope, productId: string, quantity: number): Promise<CartView> {
    checkQuantity(quantity, 0);
    return changeLine(ctx, productId, () => quantity);
  },
};

function buyerOf(ctx: ServiceScope): string {
  return requireViewer(ctx).userId;
}

function checkQuantity(quantity: number, min: number): void {
  if (!Number.isInteger(quantity) || quantity < min || quantity > MAX_LINE_QUANTITY) {
    throw new BadUserInputError('quantity', `quantity must be a whole number from ${min} to ${MAX_LINE_QUANTITY}`);
  }
}

/**
 * Writes one line in a transaction: `decide` gets the current quantity (0 when absent) and returns the new
 * one (0 removes). The product must exist, and be on sale (not archived, with stock) when its quantity grows. A cart reserves nothing: checkout decides.
 */
async function changeLine(ctx: ServiceScope, productId: string, decide: (current: number) => number): Promise<CartView> {
  const buyerId = buyerOf(ctx);
  const cartId = cartIdOf(buyerId);
  const now = ctx.clock.now();
  const product = isId(productId)
    ? (await runSql<{ available: number; archived: boolean }>(ctx.em, 'select available, archived from product where id = ?', [productId]))[0]
    : undefined;
  if (!product) throw new NotFoundError('Product');

  await ctx.em.transactional(async (em) => {
    await runSql(
      em,
      `insert into cart (id, buyer_id, created_at, updated_at) values (?, ?, ?, ?)
       on conflict (id) do update set updated_at = excluded.updated_at`,
      [cartId, buyerId, now, now],
    );
    const lines = await runSql<{ product_id: string; quantity: number }>(em, 'select product_id, quantity from cart_line where cart_id = ?', [cartId]);
    const current = lines.find((line) => line.product_id === productId)?.quantity ?? 0;
    const next = decide(current);
    if (next === current) return;
    if (next === 0) {
      await runSql(em, 'delete from cart_line where cart_id = ? and product_id = ?', [cartId, productId]);
      return;
    }
    // An archived product stays in the carts that hold it (lowered or removed as the buyer likes), but never grows.
    if (next > current && product.archived) throw new BadUserInputError('productId', 'This product is no longer sold (archived by its artisan)');
    if (next > current && product.available < 1) throw new OutOfStockError([productId]);
    if (current === 0 && lines.length >= MAX_CART_LINES) {
      throw new BadUserInputError('productId', `A cart holds at most ${MAX_CART_LINES} different products`);
    }
    await runSql(
      em,
      `insert into cart_line (id, cart_id, product_id, quantity, created_at) values (?, ?, ?, ?, ?)
       on conflict (cart_id, product_id) do update set quantity = excluded.quantity`,
      [newId(), cartId, productId, next, now],
    );
  });
  return readCart(ctx.em, buyerId);
}

async function readCart(em: EntityManager, buyerId: string): Promise<CartView> {
  const cartId = cartIdOf(buyerId);
  const rows = await runSql<{ product_id: string; quantity: number }>(
    em,
    'select product_id, quantity from cart_line where cart_id = ? order by id',
    [cartId],
  );
  const lines: CartLineView[] = rows.map((row) => ({ productId: row.product_id, quantity: row.quantity }));
  return { id: cartId, lines };
}

export type CartService = typeof cartService;
