import { AuditEvent } from '../../modules/accounts/audit-event.entity';
import { PasswordResetToken } from '../../modules/accounts/password-reset-token.entity';
import { RefreshToken } from '../../modules/accounts/refresh-token.entity';
import { Session } from '../../modules/accounts/session.entity';
import { User } from '../../modules/accounts/user.entity';
import { CartLine } from '../../modules/cart/cart-line.entity';
import { Cart } from '../../modules/cart/cart.entity';
import { Category } from '../../modules/catalog/category.entity';
import { Product } from '../../modules/catalog/product.entity';
import { Shop } from '../../modules/catalog/shop.entity';
import { StockMovement } from '../../modules/inventory/stock-movement.entity';
import { EmailMessage } from '../../modules/notifications/email-message.entity';
import { Address } from '../../modules/orders/address';
import { OrderLine } from '../../modules/orders/order-line.entity';
import { Order } from '../../modules/orders/order.entity';
import { Shipment } from '../../modules/orders/shipment.entity';
import { PaymentEvent } from '../../modules/payments/payment-event.entity';
import { Payment } from '../../modules/payments/payment.entity';
import { JobWorkerHeartbeat } from '../job-worker-heartbeat.entity';

/** Every entity, listed once: discovery is explicit, never by folder glob. */
export const entities = [
  User, Session, RefreshToken, AuditEvent, Shop, Category, Product,
  // The owner's controls: password resets.
  PasswordResetToken,
  // Cart, orders, payments and the stock ledger.
  Cart, CartLine, Order, OrderLine, Address, Payment, PaymentEvent, StockMovement,
  // The artisans' shipments of orders.
  Shipment,
  // Notifications: the emails about orders (the outbox).
  EmailMessage,
  // The job queue's crash recovery.
  JobWorkerHeartbeat,
];
