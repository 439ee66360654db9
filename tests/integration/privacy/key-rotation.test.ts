import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { createLogger } from '../../../src/infra/logger';
import { openUserDisplayName } from '../../../src/modules/accounts/sealed-display-name';
import { keyRotationService } from '../../../src/modules/privacy/key-rotation';
import { systemScope } from '../../../src/modules/service-scope';
import { systemClock } from '../../../src/shared/clock';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, MeDocument, OrderDocument } from '../../generated/graphql';
import { createUser, createUsers, type TestUser } from '../../utils/buyers';
import { installTestCipher, keyRingJson } from '../../utils/encryption';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

const FIRST_RING = keyRingJson('k1');
const { keys: firstKeys } = JSON.parse(FIRST_RING) as { keys: Record<string, string> };
/** The deployed ring once a new key is added: k2 seals, k1 still opens. */
const SECOND_RING = keyRingJson('k2', firstKeys);
const { keys: secondKeys } = JSON.parse(SECOND_RING) as { keys: Record<string, string> };
/** After rotation: k1 is gone. */
const THIRD_RING = keyRingJson('k2', { k2: secondKeys.k2! });

describe('npm run rotate-keys', () => {
  let server: TestServer;
  let shop: TestShop;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false', DATA_ENCRYPTION_KEYS: FIRST_RING });
    shop = await createShop(server);
    admin = await createUser(server, Role.ADMIN);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  /** What `npm run rotate-keys` does: the service, called as the system actor. */
  const rotate = () => keyRotationService.rotate(systemScope({ orm: server.database.orm, clock: systemClock, logger: createLogger('silent') }, 'rotate-keys'), { batchSize: 7 });

  /** Each buyer orders one unit with an address of its own; resolves to [order id, address] pairs. */
  async function checkouts(buyers: TestUser[], key: string): Promise<[string, typeof ADDRESS][]> {
    const products = await createProducts(server, shop, buyers.map(() => ({ stock: 5, priceAmount: 500 })));
    return Promise.all(
      buyers.map(async (buyer, index) => {
        const address = { ...ADDRESS, line1: `${index} rue ${key}`, phone: `+33 1 00 00 ${String(index).padStart(2, '0')}` };
        dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: products[index]!, quantity: 1 }));
        const { checkout } = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: key, shippingAddress: address } }));
        return [checkout.id, address] as [string, typeof ADDRESS];
      }),
    );
  }

  it('should re-seal every order and display name under the new key while checkouts run, lose nothing, and need the old key no more', async () => {
    const before = await checkouts(await createUsers(server, 40), 'before');
    // A new key is deployed: new values are sealed with it; then the rotation runs while buyers keep checking out.
    await installTestCipher(SECOND_RING);
    const [during, report] = await Promise.all([
      checkouts(await createUsers(server, 20), 'during'),
      rotate(),
    ]);
    // The forty orders and the forty-two users (owner, admin, buyers) of before; the twenty new buyers are under k2 already.
    expect(report.resealed).toBeGreaterThanOrEqual(40 + 42);
    expect(report.skipped).toBe(0);

    const keyIds = await runSql<{ address_key: string; fingerprint_key: string; n: number }>(
      em(),
      `select split_part(shipping_address, '.', 2) as address_key, split_part(request_fingerprint, ':', 1) as fingerprint_key, count(*)::int as n
         from customer_order group by 1, 2`,
    );
    expect(keyIds).toEqual([{ address_key: 'k2', fingerprint_key: 'k2', n: 60 }]);
    // Display names too: the shop's owner, the admin and the sixty buyers, signed up under k1 or k2.
    const nameKeys = await runSql<{ name_key: string; n: number }>(em(), `select split_part(display_name, '.', 2) as name_key, count(*)::int as n from app_user group by 1`);
    expect(nameKeys).toEqual([{ name_key: 'k2', n: 62 }]);

    // k1 leaves the ring: every order still reads, with its own address.
    await installTestCipher(THIRD_RING);
    for (const [orderId, address] of [...before, ...during]) {
      const answer = await sendAs(server.graphqlUrl, admin.token, OrderDocument, { id: orderId });
      expect(answer.errors).toEqual([]);
      expect(answer.data?.order?.shippingAddress).toMatchObject({ line1: address.line1, phone: address.phone });
    }
    // Every user still reads, with its own name.
    const names = await runSql<{ id: string; display_name: string }>(em(), 'select id, display_name from app_user');
    for (const { id, display_name: sealed } of names) expect(openUserDisplayName(id, sealed)).toMatch(/^(BUYER|ARTISAN|ADMIN) /);
    const artisan = await sendAs(server.graphqlUrl, shop.owner.token, MeDocument, {});
    expect(artisan.errors ?? []).toEqual([]);
    expect(artisan.data?.me?.displayName).toMatch(/^ARTISAN /);
    // A second run finds nothing left to do: sixty orders, sixty-two users.
    expect(await rotate()).toEqual({ scanned: 122, resealed: 0, skipped: 0 });
    // Sixty checkouts and sixty reads: more than the default minute on a busy two-core machine.
  }, 240_000);

  it('should resume in the users\' table after a given id, leaving the orders and the users before it as they are', async () => {
    // The state the first test left: everything under k2. k3 is deployed; a run stopped in the users' table is resumed.
    await installTestCipher(keyRingJson('k3', { k2: secondKeys.k2! }));
    const users = await runSql<{ id: string }>(em(), 'select id from app_user order by id');
    const resumeAfter = users[Math.floor(users.length / 2)]!.id;
    const report = await keyRotationService.rotate(systemScope({ orm: server.database.orm, clock: systemClock, logger: createLogger('silent') }, 'rotate-keys'), {
      batchSize: 7,
      table: 'app_user',
      afterId: resumeAfter,
    });
    const after = users.filter((user) => user.id > resumeAfter).length;
    expect(report).toEqual({ scanned: after, resealed: after, skipped: 0 });
    const keys = await runSql<{ later: boolean; name_key: string; n: number }>(
      em(),
      `select id > ? as later, split_part(display_name, '.', 2) as name_key, count(*)::int as n from app_user group by 1, 2 order by 1`,
      [resumeAfter],
    );
    expect(keys).toEqual([
      { later: false, name_key: 'k2', n: users.length - after },
      { later: true, name_key: 'k3', n: after },
    ]);
    const [orders] = await runSql<{ n: number }>(em(), `select count(*)::int as n from customer_order where split_part(shipping_address, '.', 2) <> 'k2'`);
    expect(orders!.n).toBe(0);
  });
});
