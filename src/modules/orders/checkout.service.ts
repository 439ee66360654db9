import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../graphql/context';
import { AppError, BadUserInputError, ConflictError, ErrorCode } from '../../graphql/errors';
import { newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { cartIdOf } from '../cart/cart.entity';
import { OutOfStockError } from '../inventory/inventory.errors';
import { applyStockChanges } from '../inventory/stock-ledger';
import { StockReason } from '../inventory/stock-reason';
import { Payment, PaymentStatus } from '../payments/payment.entity';
import { paymentService } from '../payments/payment.service';
import type { Address } from './address';
import { checkoutFingerprint, checkoutFingerprintMatches, formatOrderNumber, normalizeAddress, type CheckoutLine } from './checkout-request';
import type { CheckoutInput } from './checkout.inputs';
import { notifyOrderUpdated } from './order-events';
import { OrderLine } from './order-line.entity';
import { AWAITING_PAYMENT, OrderStatus } from './order-status';
import { scheduleExpiry } from './order.jobs';
import { Order } from './order.entity';
import { requireViewer } from '../accounts/accounts.errors';

/** The largest amount a GraphQL Int (and so Money.amount) can carry. */
const MAX_TOTAL = 2_147_483_647;

interface PricedLine extends CheckoutLine {
  priceAmount: number;
  currency: string;
  shopId: string;
  archived: boolean;
}

/** Thrown inside the transaction to roll it back when a line lacks stock. */
class StockShortage extends Error {
  constructor(readonly productId: string) {
    super(`not enough stock of ${productId}`);
  }
}

/**
 * Checkout: the caller's cart becomes an order, in one transaction, or nothing is written at all.
 *
 * The cart row is locked first (`FOR UPDATE`): one buyer's checkouts and cart changes run one at a time,
 * which is what makes one idempotency key yield one order under concurrency (the unique index on
 * (buyer, key) stands behind it). The order, its lines (prices copied), its payment and its expiry job are
 * written and the cart emptied; then, last, stock is taken line by line through the ledger, in product id
 * order, with conditional updates. A line refused rolls the whole transaction back.
 *
 * After the commit, the payment gets its provider intent and client secret (`paymentService.prepareQuietly`).
 *
 * Idempotency: a key already used returns its order when the request is the same: the same address, and
 * either the same cart or an empty one (a retry after success finds the cart emptied by the first attempt).
 * Anything else is a CONFLICT. A checkout that failed wrote nothing, so its key can be used again.
 */
export const checkoutService = {
  async checkout(ctx: RequestContext, input: CheckoutInput): Promise<Order> {
    const viewer = requireViewer(ctx);
    const address = normalizeAddress(input.shippingAddress);
    const key = input.idempotencyKey;
    const cartId = cartIdOf(viewer.userId);
    let lines: PricedLine[] = [];
    /** Set when this call made the order (not a replay): its payment is then known to have no intent yet. */
    let created = false;
    const attempt = () =>
      ctx.em.transactional(async (em) => {
        created = false;
        await runSql(em, 'select id from cart where id = ? for update', [cartId]);
        lines = await readPricedCart(em, cartId);
        const existing = await em.findOne(Order, { buyer: viewer.userId, idempotencyKey: key });
        if (existing) return replay(em, existing, lines, address);
        created = true;
        return createOrder(ctx, em, { buyerId: viewer.userId, cartId, key, address, lines, expectedTotal: input.expectedTotal ?? null });
      });
    for (let tries = 1; ; tries++) {
      try {
        const order = await attempt();
        // Stock was taken: this instance's cached catalogue answers are stale from now (others learn it
        // from the committed stock events, see followStockChanges).
        ctx.catalogVersion.bump();
        // After the commit, never inside the transaction: a slow provider holds no lock. A replay gets the intent
        // that a first attempt could not (provider down then), with the same idempotency key.
        const fresh = created
          ? { provider: ctx.payments.current.provider, orderNumber: order.number, amount: order.totalAmount, currency: order.currency }
          : undefined;
        await paymentService.prepareQuietly(ctx, order.id, fresh);
        return order;
      } catch (error) {
        if (error instanceof StockShortage) throw await outOfStock(ctx.em, lines, error.productId);
        // Two first attempts with one key that both got past the cart lock (no cart row yet): the loser replays.
        if (error instanceof UniqueConstraintViolationException && tries < 2) continue;
        throw error;
      }
    }
  },
};

async function readPricedCart(em: EntityManager, cartId: string): Promise<PricedLine[]> {
  const rows = await runSql<{ product_id: string; quantity: number; price_amount: number; currency: string; shop_id: string; archived: boolean }>(
    em,
    `select l.product_id, l.quantity, p.price_amount, p.currency, p.shop_id, p.archived
       from cart_line l join product p on p.id = l.product_id
      where l.cart_id = ? order by l.product_id`,
    [cartId],
  );
  return rows.map((row) => ({
    productId: row.product_id,
    quantity: row.quantity,
    priceAmount: row.price_amount,
    currency: row.currency,
    shopId: row.shop_id,
    archived: row.archived,
  }));
}

async function replay(em: EntityManager, order: Order, cart: CheckoutLine[], address: Address): Promise<Order> {
  const ordered = cart.length ? cart : (await em.find(OrderLine, { order: order.id })).map((line) => ({ productId: line.product.id, quantity: line.quantity }));
  if (!checkoutFingerprintMatches(order.requestFingerprint, ordered, address)) {
    throw new ConflictError('This idempotency key was already used for a checkout with another cart or address');
  }
  return order;
}

interface NewOrder {
  buyerId: string;
  cartId: string;
  key: string;
  address: Address;
  lines: PricedLine[];
  /** What the buyer was shown; null: not checked. */
  expectedTotal: { amount: number; currency: string } | null;
}

async function createOrder(ctx: RequestContext, em: EntityManager, request: NewOrder): Promise<Order> {
  const { lines } = request;
  if (!lines.length) throw new BadUserInputError('cart', 'The cart is empty');
  // A product archived after it was put in the cart stays shown there, but is no longer sold.
  const withdrawn = lines.filter((line) => line.archived).map((line) => line.productId);
  if (withdrawn.length) throw new BadUserInputError('cart', `No longer sold (archived): ${withdrawn.join(', ')}: remove it from the cart`);
  const currencies = [...new Set(lines.map((line) => line.currency))];
  if (currencies.length > 1) {
    throw new BadUserInputError('cart', `One order is in one currency; this cart mixes ${currencies.sort().join(', ')}: check out each currency apart`);
  }
  const total = lines.reduce((sum, line) => sum + line.quantity * line.priceAmount, 0);
  if (total > MAX_TOTAL) throw new BadUserInputError('cart', 'The order total is too large: split the cart');
  const expected = request.expectedTotal;
  if (expected && (expected.amount !== total || expected.currency !== currencies[0])) {
    throw new AppError(ErrorCode.CONFLICT, 'The total changed since it was shown: review the cart', {
      reason: 'PRICE_CHANGED',
      total: { amount: total, currency: currencies[0] },
    });
  }
  await checkUnpaidLimits(ctx, em, request.buyerId, lines);

  const now = ctx.clock.now();
  const orderId = newId();
  const [{ n }] = (await runSql<{ n: string }>(em, "select nextval('order_number_seq') as n")) as [{ n: string }];
  const reservedUntil = new Date(now.getTime() + ctx.config.orders.reservationMs);
  const currency = currencies[0]!;
  const order = em.create(Order, {
    id: orderId,
    number: formatOrderNumber(Number(n)),
    buyer: request.buyerId,
    status: OrderStatus.PENDING_PAYMENT,
    currency,
    totalAmount: total,
    idempotencyKey: request.key,
    requestFingerprint: checkoutFingerprint(lines, request.address),
    reservedUntil,
    createdAt: now,
    updatedAt: now,
  });
  // Sealed with the order's id as associated data: set once the id is.
  order.shippingAddress = request.address;
  for (const line of lines) {
    em.create(OrderLine, { order, product: line.productId, shop: line.shopId, quantity: line.quantity, unitPriceAmount: line.priceAmount, currency });
  }
  // The provider's intent is created after the commit (paymentService.ensureIntent): no network call in here.
  em.create(Payment, { order, provider: ctx.payments.current.provider, status: PaymentStatus.REQUIRES_PAYMENT, amount: total, currency, createdAt: now, updatedAt: now });
  await em.flush();
  await runSql(em, 'delete from cart_line where cart_id = ?', [request.cartId]);
  await runSql(em, 'update cart set updated_at = ? where id = ?', [now, request.cartId]);
  await scheduleExpiry(em, orderId, reservedUntil);
  // The new order, to its shops' live feeds (ShopOrderUpdates); delivered only if this transaction commits.
  await notifyOrderUpdated(em, orderId);

  // Stock last: a product's row stays locked from its update to the commit, so the fewer statements
  // in between, the more checkouts of a popular product per second. A refusal rolls everything back.
  const taken = await applyStockChanges(
    em,
    lines.map((line) => ({ productId: line.productId, delta: -line.quantity, reason: StockReason.SALE, orderId })),
    now,
  );
  if (taken.refusedProductId) throw new StockShortage(taken.refusedProductId);
  return order;
}

/**
 * A buyer may hold at most `MAX_UNPAID_ORDERS_PER_BUYER` orders awaiting payment, and at most
 * `MAX_UNPAID_UNITS_PER_PRODUCT` units of one product across them: nine unpaid checkouts once held a product's whole
 * stock for fifteen minutes, renewable. Race-free: the buyer's cart row is locked, so their checkouts run one at a time.
 */
async function checkUnpaidLimits(ctx: RequestContext, em: EntityManager, buyerId: string, lines: CheckoutLine[]): Promise<void> {
  const limits = ctx.config.limits.orders;
  const [{ n }] = (await runSql<{ n: number }>(em, 'select count(*)::int as n from customer_order where buyer_id = ? and status = any(?)', [
    buyerId,
    AWAITING_PAYMENT,
  ])) as [{ n: number }];
  if (n >= limits.maxUnpaidOrders) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidOrders} orders may await payment at once: pay or cancel one first`, {
      reason: 'TOO_MANY_UNPAID_ORDERS',
    });
  }
  const held = await runSql<{ product_id: string; units: number }>(
    em,
    `select l.product_id, sum(l.quantity)::int as units from order_line l join customer_order o on o.id = l.order_id
      where o.buyer_id = ? and o.status = any(?) and l.product_id = any(?) group by l.product_id`,
    [buyerId, AWAITING_PAYMENT, lines.map((line) => line.productId)],
  );
  const heldOf = new Map(held.map((row) => [row.product_id, row.units]));
  const over = lines.filter((line) => (heldOf.get(line.productId) ?? 0) + line.quantity > limits.maxUnpaidUnitsPerProduct).map((line) => line.productId);
  if (over.length) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidUnitsPerProduct} units of one product may await payment at once`, {
      reason: 'UNPAID_UNITS_LIMIT',
      productIds: over,
    });
  }
}

/** The error for a refused checkout: the refused product, and every other line short of stock right now. */
async function outOfStock(em: EntityManager, lines: CheckoutLine[], refusedProductId: string): Promise<OutOfStockError> {
  const rows = await runSql<{ id: string }>(
    em,
    `select p.id from product p join unnest(?::uuid[], ?::int[]) as wanted(id, quantity) on wanted.id = p.id
      where p.available < wanted.quantity`,
    [lines.map((line) => line.productId), lines.map((line) => line.quantity)],
  );
  return new OutOfStockError([refusedProductId, ...rows.map((row) => row.id)]);
}
