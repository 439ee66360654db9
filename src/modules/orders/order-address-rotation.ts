import type { EntityManager } from '@mikro-orm/postgresql';
import { keyIdOf } from '../../infra/encryption/field-cipher';
import { personalDataCipher } from '../../infra/encryption/personal-data';
import { runSql } from '../../shared/sql';
import { checkoutFingerprint, type CheckoutLine } from './checkout-request';
import { openOrderAddress, sealOrderAddress } from './sealed-address';

/** One batch of a key rotation over orders: how many rows it looked at and how many it re-sealed. */
export interface RotationBatch {
  /** The last order id looked at: where the next batch starts. Null when no order was left. */
  lastId: string | null;
  scanned: number;
  resealed: number;
  /** Changed by someone else between the read and the write: left for the next run. */
  skipped: number;
}

interface SealedRow {
  id: string;
  shipping_address: string;
  request_fingerprint: string;
}

/**
 * Re-seals, under the ring's current key, the shipping addresses and checkout fingerprints (blind indexes) of
 * up to `batchSize` orders after `afterId` that still use another key, in one short transaction. A write is
 * conditional on the value read (compare and set), so a concurrent change is never overwritten: it is skipped
 * and a later run takes it. Checkouts go on meanwhile: new orders are sealed under the current key already.
 */
export async function rotateOrderBatch(em: EntityManager, afterId: string | null, batchSize: number): Promise<RotationBatch> {
  const current = personalDataCipher().currentKeyId;
  return em.transactional(async (tx) => {
    const rows = await runSql<SealedRow & { stale: boolean }>(
      tx,
      `select id, shipping_address, request_fingerprint,
              (split_part(shipping_address, '.', 2) <> ? or split_part(request_fingerprint, ':', 1) <> ?) as stale
         from customer_order
        where shipping_address is not null and (?::uuid is null or id > ?::uuid)
        order by id limit ?`,
      [current, current, afterId, afterId, batchSize],
    );
    const stale = rows.filter((row) => row.stale);
    const lines = stale.length
      ? await runSql<{ order_id: string; product_id: string; quantity: number }>(tx, 'select order_id, product_id, quantity from order_line where order_id = any(?::uuid[])', [stale.map((row) => row.id)])
      : [];
    const linesByOrder = new Map<string, CheckoutLine[]>();
    for (const line of lines) {
      const list = linesByOrder.get(line.order_id) ?? [];
      list.push({ productId: line.product_id, quantity: line.quantity });
      linesByOrder.set(line.order_id, list);
    }
    let resealed = 0;
    for (const row of stale) {
      const address = openOrderAddress(row.id, row.shipping_address);
      const sealed = keyIdOf(row.shipping_address) === current ? row.shipping_address : sealOrderAddress(row.id, address);
      const fingerprint = checkoutFingerprint(linesByOrder.get(row.id) ?? [], address);
      const updated = await runSql(
        tx,
        'update customer_order set shipping_address = ?, request_fingerprint = ? where id = ? and shipping_address = ? and request_fingerprint = ? returning id',
        [sealed, fingerprint, row.id, row.shipping_address, row.request_fingerprint],
      );
      resealed += updated.length;
    }
    return { lastId: rows.at(-1)?.id ?? null, scanned: rows.length, resealed, skipped: stale.length - resealed };
  });
}
