import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config';
import type { ServiceScope } from '../service-scope';
import { AppError, BadUserInputError, ConflictError, ErrorCode } from '../../shared/errors';
import { requireViewer, User } from '../accounts';
import { cartIdOf, cartCheckoutWriteSql } from '../cart';
import { catalogChanged, type CatalogVersion, Product, Shop } from '../catalog';
import { OutOfStockError } from '../inventory';
import { newOrderPayment, type Payment, type PaymentService, type StoredIntent, type PaymentsRuntime } from '../payments';
import type { Address } from './address';
import { checkoutFingerprint, checkoutFingerprintMatches, normalizeAddress, type CheckoutLine } from './checkout-request';
import type { CheckoutInput } from './checkout.inputs';
import { checkoutAbortOf, readCheckout, writeOrder, type CheckoutRead } from './checkout-statements';
import { OrderLine } from './order-line.entity';
import { OrderStatus } from './order-status';
import { Order } from './order.entity';

/** The largest amount a GraphQL Int (and so Money.amount) can carry. */
const MAX_TOTAL = 2_147_483_647;

export interface CheckoutDeps {
  /** The reservation's length and the limits on unpaid orders. */
  config: Pick<Config, 'orders' | 'limits'>;
  /** The provider of the moment, which a new order's payment is made with. */
  payments: PaymentsRuntime;
  /** This instance's catalogue version: a checkout takes stock, so the next catalogue read misses its cache. */
  catalogVersion: CatalogVersion;
  paymentService: PaymentService;
}

/**
 * Checkout: the caller's cart becomes an order, at once or not at all, in two statements.
 *
 * The first ({@link readCheckout}) reads everything checkout decides on: the priced cart, the order of this
 * idempotency key, the buyer's unpaid orders, and the version of the cart row. The second ({@link writeOrder}), a
 * transaction on its own, locks the cart row (`FOR UPDATE`) and writes everything: the order, its lines (prices
 * copied), its payment and its expiry job, the cart emptied, and the stock of every line through the ledger's
 * conditional update (`takeStockSql`: products locked in id order, never read-then-write). It aborts itself, so that
 * nothing is written, when a line lacks stock (OUT_OF_STOCK) or when the cart row is no longer the version read (a
 * cart change or another checkout of the buyer committed in between: every one writes that row): the checkout is
 * then read and decided again. No round trip to the server happens while a product's row is locked: a popular
 * product is locked for the time PostgreSQL takes to run one statement and commit it.
 *
 * After the commit, the payment gets its provider intent and client secret (`paymentService.prepareQuietly`), and
 * the request's loaders are primed with what was written: the answer costs no statement beyond its products.
 *
 * Idempotency: a key already used returns its order when the request is the same: the same address, and
 * either the same cart or an empty one (a retry after success finds the cart emptied by the first attempt).
 * Anything else is a CONFLICT. A checkout that failed wrote nothing, so its key can be used again. Concurrent calls
 * with one key: one writes, the others find the cart row changed, read again and replay its order (the unique index
 * on (buyer, key) stands behind it).
 */
export function createCheckoutService(deps: CheckoutDeps) {
  return {
    async checkout(ctx: ServiceScope, input: CheckoutInput): Promise<Order> {
      const viewer = requireViewer(ctx);
      const address = normalizeAddress(input.shippingAddress);
      const key = input.idempotencyKey;
      const cartId = cartIdOf(viewer.userId);
      for (let tries = 1; ; tries++) {
        try {
          const read = await readCheckout(ctx.em, { buyerId: viewer.userId, cartId, key });
          if (read.existingOrderId) {
            const order = await replay(ctx.em, read.existingOrderId, read.lines, address);
            // A replay gets the intent that a first attempt could not (provider down then), with the same idempotency key.
            await deps.paymentService.prepareQuietly(ctx, order.id);
            return order;
          }
          const created = await createOrder(ctx, deps, { buyerId: viewer.userId, cartId, key, address, read, expectedTotal: input.expectedTotal ?? null });
          // Stock was taken (the statement committed): this instance's next catalogue read misses its cache.
          catalogChanged(ctx.em, deps.catalogVersion);
          // After the commit, never inside it: a slow provider holds no lock.
          const { order, payment } = created;
          const prepared = await deps.paymentService.prepareQuietly(ctx, order.id, {
            provider: payment.provider,
            orderNumber: order.number,
            amount: payment.amount,
            currency: payment.currency,
          });
          primeLoaders(ctx, created, prepared.stored);
          return order;
        } catch (error) {
          const abort = checkoutAbortOf(error);
          if (abort?.reason === 'OUT_OF_STOCK') throw new OutOfStockError(abort.detail.split(','));
          // The cart changed since it was read, or another first attempt with this key won: decide again.
          if ((abort?.reason === 'CART_CHANGED' || isUniqueViolation(error)) && tries < MAX_TRIES) continue;
          if (abort?.reason === 'CART_CHANGED') throw new ConflictError('The cart kept changing during checkout: try again');
          throw error;
        }
      }
    },
  };
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;

/** Reads and writes of one checkout, when the cart keeps changing in between. */
const MAX_TRIES = 5;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException || (error as { code?: unknown } | null)?.code === '23505';
}

/** What checkout wrote, as the answer's resolvers read it. */
interface CreatedOrder {
  order: Order;
  lines: OrderLine[];
  payment: Payment;
}

async function replay(em: EntityManager, orderId: string, cart: CheckoutLine[], address: Address): Promise<Order> {
  const order = await em.findOneOrFail(Order, orderId);
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
  read: CheckoutRead;
  /** What the buyer was shown; null: not checked. */
  expectedTotal: { amount: number; currency: string } | null;
}

async function createOrder(ctx: ServiceScope, deps: CheckoutDeps, request: NewOrder): Promise<CreatedOrder> {
  const { lines } = request.read;
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
  checkUnpaidLimits(deps.config.limits.orders, request.read);

  const now = ctx.clock.now();
  const currency = currencies[0]!;
  const order = new Order();
  order.buyer = ref(User, request.buyerId);
  order.status = OrderStatus.PENDING_PAYMENT;
  order.currency = currency;
  order.totalAmount = total;
  order.idempotencyKey = request.key;
  order.requestFingerprint = checkoutFingerprint(lines, request.address);
  order.reservedUntil = new Date(now.getTime() + deps.config.orders.reservationMs);
  order.createdAt = now;
  order.updatedAt = now;
  // Sealed with the order's id as associated data: set once the id is (the constructor made it).
  order.shippingAddress = request.address;
  const orderLines = lines.map((line) =>
    Object.assign(new OrderLine(), {
      order: ref(order),
      product: ref(Product, line.productId),
      shop: ref(Shop, line.shopId),
      quantity: line.quantity,
      unitPriceAmount: line.priceAmount,
      currency,
    }),
  );
  // The provider's intent is created after the commit (paymentService.ensureIntent): no network call in here.
  const { payment, insert } = newOrderPayment({ orderId: order.id, provider: deps.payments.current.provider, amount: total, currency, now });
  const cart = cartCheckoutWriteSql(request.cartId, request.read.cartVersion, now);
  order.number = await writeOrder(ctx.em, order, orderLines, insert, cart);
  return { order, lines: orderLines, payment };
}

/**
 * The request's loaders, primed with the order just written, its lines and its payment (the intent's secret included
 * when this call stored it): the answer's fields read them without a statement. Its products are read as usual.
 */
function primeLoaders(ctx: ServiceScope, created: CreatedOrder, stored: StoredIntent | null): void {
  const { order, lines, payment } = created;
  ctx.loaders.orderById.prime(order.id, order);
  ctx.loaders.linesOfOrder.prime(order.id, lines);
  if (stored) {
    payment.providerReference = stored.reference;
    payment.clientSecret = stored.clientSecret;
    payment.updatedAt = stored.at;
    ctx.loaders.paymentOfOrder.prime(order.id, payment);
  }
}

/**
 * A buyer may hold at most `MAX_UNPAID_ORDERS_PER_BUYER` orders awaiting payment, and at most
 * `MAX_UNPAID_UNITS_PER_PRODUCT` units of one product across them: nine unpaid checkouts once held a product's whole
 * stock for fifteen minutes, renewable. Race-free: the counts come from {@link readCheckout}, and {@link writeOrder}
 * commits only while the buyer's cart row is still the version read; every checkout writes that row, so a checkout
 * that committed in between sends this one back to read the counts again.
 */
function checkUnpaidLimits(limits: Config['limits']['orders'], read: CheckoutRead): void {
  if (read.unpaidOrders >= limits.maxUnpaidOrders) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidOrders} orders may await payment at once: pay or cancel one first`, {
      reason: 'TOO_MANY_UNPAID_ORDERS',
    });
  }
  const over = read.lines.filter((line) => (read.heldUnits[line.productId] ?? 0) + line.quantity > limits.maxUnpaidUnitsPerProduct).map((line) => line.productId);
  if (over.length) {
    throw new AppError(ErrorCode.CONFLICT, `At most ${limits.maxUnpaidUnitsPerProduct} units of one product may await payment at once`, {
      reason: 'UNPAID_UNITS_LIMIT',
      productIds: over,
    });
  }
}
