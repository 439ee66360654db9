import { Migration } from '@mikro-orm/migrations';
import { hasPersonalDataCipher } from '../src/infra/encryption/personal-data';
import { checkoutFingerprint, type CheckoutLine } from '../src/modules/orders/checkout-request';
import { openOrderAddress, sealOrderAddress } from '../src/modules/orders/sealed-address';
import type { Address } from '../src/modules/orders/address';

interface PlainAddressRow {
  id: string;
  shipping_name: string;
  shipping_line1: string;
  shipping_line2: string | null;
  shipping_city: string;
  shipping_postal_code: string;
  shipping_country: string;
  shipping_phone: string | null;
}

const PLAIN_COLUMNS = ['shipping_name', 'shipping_line1', 'shipping_line2', 'shipping_city', 'shipping_postal_code', 'shipping_country', 'shipping_phone'];

/**
 * Shipping addresses at rest become one AES-256-GCM sealed value per order (`shipping_address`), and checkout
 * fingerprints keyed blind indexes. Existing orders are sealed here, in the migration's transaction, with the key
 * ring that `openConfiguredDatabase` loaded before migrating; then the plain columns are dropped.
 */
export class Migration20261128103000_sealed_shipping_address extends Migration {

  override async up(): Promise<void> {
    await this.execute(`alter table "customer_order" add column "shipping_address" text null;`);
    const rows = (await this.execute(`select id, ${PLAIN_COLUMNS.join(', ')} from customer_order order by id`)) as PlainAddressRow[];
    if (rows.length && !hasPersonalDataCipher()) {
      throw new Error('orders to encrypt but no key ring loaded: migrate with `npm run migrate` (it loads DATA_ENCRYPTION_KEYS)');
    }
    const lines = rows.length ? ((await this.execute('select order_id, product_id, quantity from order_line')) as { order_id: string; product_id: string; quantity: number }[]) : [];
    const linesByOrder = new Map<string, CheckoutLine[]>();
    for (const line of lines) linesByOrder.set(line.order_id, [...(linesByOrder.get(line.order_id) ?? []), { productId: line.product_id, quantity: line.quantity }]);
    for (const row of rows) {
      const address: Address = {
        name: row.shipping_name,
        line1: row.shipping_line1,
        line2: row.shipping_line2,
        city: row.shipping_city,
        postalCode: row.shipping_postal_code,
        country: row.shipping_country.trim(),
        phone: row.shipping_phone,
      };
      await this.execute(this.getKnex().raw('update customer_order set shipping_address = ?, request_fingerprint = ? where id = ?', [
        sealOrderAddress(row.id, address),
        checkoutFingerprint(linesByOrder.get(row.id) ?? [], address),
        row.id,
      ]));
    }
    await this.execute(`alter table "customer_order" ${PLAIN_COLUMNS.map((column) => `drop column "${column}"`).join(', ')};`);
  }

  override async down(): Promise<void> {
    await this.execute(`alter table "customer_order" add column "shipping_name" text null, add column "shipping_line1" text null, add column "shipping_line2" text null, add column "shipping_city" text null, add column "shipping_postal_code" text null, add column "shipping_country" char(2) null, add column "shipping_phone" text null;`);
    const rows = (await this.execute('select id, shipping_address from customer_order where shipping_address is not null')) as { id: string; shipping_address: string }[];
    for (const row of rows) {
      const address = openOrderAddress(row.id, row.shipping_address);
      await this.execute(this.getKnex().raw(
        `update customer_order set ${PLAIN_COLUMNS.map((column) => `${column} = ?`).join(', ')} where id = ?`,
        [address.name, address.line1, address.line2, address.city, address.postalCode, address.country, address.phone, row.id],
      ));
    }
    await this.execute(`alter table "customer_order" drop column "shipping_address";`);
  }

}
