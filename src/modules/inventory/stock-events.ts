import { z } from 'zod';
import { StockReason } from './stock-reason';

/**
 * A committed change of a product's available stock, as live subscribers receive it. The same shape travels
 * in the PostgreSQL notification, on the pub/sub topic, and comes back from the ledger when a gap is filled.
 */
export interface StockChangedEvent {
  productId: string;
  shopId: string;
  delta: number;
  reason: StockReason;
  /** Available stock right after the change. */
  available: number;
  /** The product's stock version after the change: consecutive per product. */
  version: number;
  /** ISO 8601 time of the change. */
  at: string;
}

/** The PostgreSQL channel that the ledger notifies, in the changing transaction: delivered only on commit. */
export const STOCK_NOTIFY_CHANNEL = 'atelier_stock_changed';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const STOCK_TOPIC = 'stock-changed';

/** A {@link StockChangedEvent} as it travels (the notification's JSON, then the pub/sub message). */
const stockChangedEventSchema: z.ZodType<StockChangedEvent> = z.object({
  productId: z.string(),
  shopId: z.string(),
  delta: z.int(),
  reason: z.enum(StockReason),
  available: z.int(),
  version: z.int(),
  at: z.string(),
});

/** The event in a pub/sub message, or null when the message is not one (never trust the wire). */
export function parseStockChangedEvent(value: unknown): StockChangedEvent | null {
  return stockChangedEventSchema.safeParse(value).data ?? null;
}
