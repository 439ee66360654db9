import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infra/logger';
import { openUserDisplayName } from '../../../src/modules/accounts/sealed-display-name';
import { EmailKind } from '../../../src/modules/notifications/email-message.entity';
import { composeOrderEmail, loadOrderFacts } from '../../../src/modules/notifications/order-email-content';
import { runSql } from '../../../src/shared/sql';
import { createProduct, createShop } from '../../fixtures/shops';
import { AdjustStockDocument, MeDocument, ProductBySlugDocument, RequestPasswordResetDocument, StockHistoryDocument } from '../../generated/graphql';
import { signUp } from '../../utils/accounts';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut } from '../../utils/order-emails';
import { startTestServer, type TestServer } from '../../utils/test-server';

const NAME = 'Ana Quillfeather';

describe('Display names at rest', () => {
  let server: TestServer;
  const logLines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' }, undefined, { logger });
  });
  afterAll(() => server?.close());

  const sql = <T>(text: string, params: unknown[] = []) => runSql<T>(server.database.orm.em.fork(), text, params);

  it('should store a display name sealed, never in clear, and seal equal names differently', async () => {
    const first = await signUp(server, { displayName: NAME });
    const second = await signUp(server, { displayName: ` ${NAME} ` });
    const rows = await sql<{ id: string; display_name: string }>('select id, display_name from app_user where id = any(?::uuid[]) order by id', [[first.id, second.id]]);
    expect(rows).toHaveLength(2);
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(a.display_name).toMatch(/^ev1\.test-1\./);
    expect(b.display_name).toMatch(/^ev1\.test-1\./);
    expect(a.display_name).not.toBe(b.display_name);
    // Nothing of it anywhere in the table, in any column; each opens only with its own row's id.
    const [found] = await sql<{ n: number }>(`select count(*)::int as n from app_user u where u::text ilike any(?::text[])`, [['%Quillfeather%']]);
    expect(found!.n).toBe(0);
    expect(openUserDisplayName(a.id, a.display_name)).toBe(NAME);
    expect(() => openUserDisplayName(b.id, a.display_name)).toThrow('authentication failed');
    // The API opens it.
    expect(dataOf(await sendAs(server.graphqlUrl, first.token, MeDocument, {})).me).toMatchObject({ id: first.id, displayName: NAME });
    expect(dataOf(await sendAs(server.graphqlUrl, second.token, MeDocument, {})).me).toMatchObject({ id: second.id, displayName: NAME });
  });

  it("should answer a display name copied from another user's row with a logged error, and keep the rest of the answer", async () => {
    const shop = await createShop(server);
    const productId = await createProduct(server, shop, { stock: 10 });
    const other = await signUp(server, { displayName: NAME });
    // Before the owner's first request: its session's cached re-check would otherwise hold the row it read (for up to
    // its TTL, as after any write that bypasses the API).
    await sql('update app_user set display_name = (select display_name from app_user where id = ?) where id = ?', [other.id, shop.owner.id]);
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId, delta: 5, reason: 'Spring firing' }));
    logLines.length = 0;

    // The artisan's stock history: the adjustment's actor (the owner) is null with an error; every other field stays.
    const history = await sendAs(server.graphqlUrl, shop.owner.token, StockHistoryDocument, { productId, first: 10, after: null });
    expect(history.data?.stockMovements.edges.map(({ node }) => ({ delta: node.delta, reason: node.reason, note: node.note, available: node.available, actor: node.actor }))).toEqual([
      { delta: 5, reason: 'RESTOCK', note: 'Spring firing', available: 15, actor: null },
    ]);
    expect(history.errors).toEqual([
      expect.objectContaining({ path: ['stockMovements', 'edges', 0, 'node', 'actor', 'displayName'], extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) }),
    ]);
    // `User.displayName` is non-null in the contract: where no nullable field lies closer, the error nulls more (here `product`, as `Product.shop` and `Shop.owner` are non-null), never silently.
    const page = await sendAs(server.graphqlUrl, undefined, ProductBySlugDocument, { slug: `product-${productId}` });
    expect(page.data?.product).toBeNull();
    expect(page.errors).toEqual([expect.objectContaining({ path: ['product', 'shop', 'owner', 'displayName'], extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) })]);
    // The owner's own Me alike; the other user, whose value it is, still reads its own.
    const mine = await sendAs(server.graphqlUrl, shop.owner.token, MeDocument, {});
    expect(mine.data?.me).toBeNull();
    expect(mine.errors).toEqual([expect.objectContaining({ path: ['me', 'displayName'], extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) })]);
    expect(dataOf(await sendAs(server.graphqlUrl, other.token, MeDocument, {})).me?.displayName).toBe(NAME);

    // Logged with its table, row and key id, never its content.
    const failures = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'a sealed personal data value cannot be opened');
    expect(failures[0]).toMatchObject({ table: 'app_user', column: 'display_name', rowId: shop.owner.id, keyId: 'test-1' });
    expect(logLines.join('')).not.toContain('Quillfeather');
  });

  it('should greet people by their opened name in the emails of an order and of a password reset', async () => {
    const shop = await createShop(server);
    const productId = await createProduct(server, shop, { stock: 3 });
    const buyer = await signUp(server, { displayName: NAME });
    const order = await checkOut(server, buyer, [{ productId, quantity: 1 }]);
    const facts = await loadOrderFacts(server.database.orm.em.fork(), order.id);
    expect(facts?.buyer.displayName).toBe(NAME);
    expect(facts?.lines[0]?.owner.displayName).toMatch(/^ARTISAN /);
    expect(composeOrderEmail(facts!, EmailKind.ORDER_CONFIRMATION, buyer.id)?.body).toContain(`Hello ${NAME},`);
    expect(composeOrderEmail(facts!, EmailKind.NEW_ORDER, shop.owner.id)?.body).toContain(`Hello ${facts!.lines[0]!.owner.displayName},`);

    dataOf(await sendAs(server.graphqlUrl, undefined, RequestPasswordResetDocument, { email: buyer.email }));
    const [reset] = await sql<{ body: string }>("select body from email_message where recipient_id = ? and kind = 'PASSWORD_RESET'", [buyer.id]);
    expect(reset?.body).toContain(`Hello ${NAME},`);

    // A name that does not open locks nobody out of a reset, nor tells that the email has an account: the email greets without it.
    const damaged = await signUp(server, { displayName: NAME });
    await sql('update app_user set display_name = (select display_name from app_user where id = ?) where id = ?', [buyer.id, damaged.id]);
    const answer = await sendAs(server.graphqlUrl, undefined, RequestPasswordResetDocument, { email: damaged.email });
    expect(answer).toMatchObject({ data: { requestPasswordReset: true }, errors: [] });
    const [greeting] = await sql<{ body: string }>("select body from email_message where recipient_id = ? and kind = 'PASSWORD_RESET'", [damaged.id]);
    expect(greeting?.body).toMatch(/^Hello,\n/);
  });
});
