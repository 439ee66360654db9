import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { checkoutFingerprintMatches } from '../../../src/modules/orders/checkout-request';
import { openOrderAddress } from '../../../src/modules/orders/sealed-address';
import { newId } from '../../../src/shared/ids';
import { runSql } from '../../../src/shared/sql';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { installTestCipher } from '../../utils/encryption';
import { moduleEntities } from '../../../src/modules/index';

/** The last migration before shipping addresses were sealed. */
const BEFORE_SEALING = 'Migration20261122071332_job_worker_heartbeat';

describe('The migration that seals shipping addresses', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    await installTestCipher();
    db = await createTestDatabase();
    orm = await openDatabase({ url: db.url, entities: moduleEntities, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('should seal the addresses of orders written before it, key their fingerprints, and drop the plain columns', async () => {
    const migrator = orm.getMigrator();
    await migrator.down({ to: BEFORE_SEALING });
    const em = orm.em.fork();
    const userId = newId();
    const orderId = newId();
    await runSql(em, `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at) values (?, 'old@example.test', 'Old', '!', 'BUYER', 'ACTIVE', now(), now())`, [userId]);
    await runSql(
      em,
      `insert into customer_order (id, number, buyer_id, status, currency, total_amount, shipping_name, shipping_line1, shipping_line2, shipping_city,
         shipping_postal_code, shipping_country, shipping_phone, idempotency_key, request_fingerprint, reserved_until, created_at, updated_at)
       values (?, 'AT-000001', ?, 'PAID', 'EUR', 0, 'Ana Lima', '12 rue des Potiers', null, 'Lyon', '69001', 'FR', '+33 6 00 00 00 00', 'k', 'sha256-of-old', now(), now(), now())`,
      [orderId, userId],
    );

    await migrator.up();

    const [row] = await runSql<{ shipping_address: string; request_fingerprint: string }>(em, 'select shipping_address, request_fingerprint from customer_order where id = ?', [orderId]);
    expect(row!.shipping_address).toMatch(/^ev1\./);
    const address = openOrderAddress(orderId, row!.shipping_address);
    expect(address).toEqual({ name: 'Ana Lima', line1: '12 rue des Potiers', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: '+33 6 00 00 00 00' });
    expect(checkoutFingerprintMatches(row!.request_fingerprint, [], address)).toBe(true);
    const plain = await runSql(em, "select column_name from information_schema.columns where table_name = 'customer_order' and column_name like 'shipping\\_%' and column_name <> 'shipping_address'");
    expect(plain).toEqual([]);
  });
});
