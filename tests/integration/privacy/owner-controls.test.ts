import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { openUserDisplayName } from '../../../src/modules/accounts/sealed-display-name';
import { sendOrderEmailJob } from '../../../src/modules/notifications/order-emails';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop } from '../../fixtures/shops';
import {
  AddToCartDocument,
  ChangePasswordDocument,
  CheckoutDocument,
  DeleteMyAccountDocument,
  LogInDocument,
  MeDocument,
  RefreshSessionDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  SignUpDocument,
} from '../../generated/graphql';
import { postGraphql } from '../../utils/clients';
import { byHand } from '../../utils/jobs';
import { dataOf, sendAs } from '../../utils/operations';
import { markPaid, notificationTasksOf } from '../../utils/order-emails';
import { findTraces } from '../../utils/personal-data-scan';
import { openIdleConnection, within } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';

const PASSWORD = 'first-password-123';
const NEW_PASSWORD = 'second-password-456';

describe("The owner's controls: change, reset, delete", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false', PASSWORD_RESETS_PER_EMAIL: '3' });
  });
  afterAll(() => server?.close());

  const sql = <T>(text: string, params: unknown[] = []) => runSql<T>(server.database.orm.em.fork(), text, params);
  const url = () => server.graphqlUrl;

  async function signUp(options: { role?: 'BUYER' | 'ARTISAN'; displayName?: string } = {}) {
    const email = `owner-${randomUUID()}@example.test`;
    const displayName = options.displayName ?? `Owner ${randomUUID().slice(0, 8)}`;
    const { signUp: session } = dataOf(await sendAs(url(), undefined, SignUpDocument, { input: { email, password: PASSWORD, displayName, role: options.role } }));
    return { email, displayName, id: session.user.id, accessToken: session.accessToken, refreshToken: session.refreshToken };
  }
  const logIn = (email: string, password: string) => sendAs(url(), undefined, LogInDocument, { email, password });
  const me = (token: string) => sendAs(url(), token, MeDocument, {});
  const refresh = (refreshToken: string) => sendAs(url(), undefined, RefreshSessionDocument, { refreshToken });
  const resetEmails = (userId: string) =>
    sql<{ to_address: string; body: string; transport: string; sent_at: string | null }>(
      "select to_address, body, transport, sent_at from email_message where kind = 'PASSWORD_RESET' and recipient_id = ? order by created_at",
      [userId],
    );
  const auditTypes = async (userId: string) => (await sql<{ type: string }>('select type from audit_event where user_id = ? order by id', [userId])).map((row) => row.type);

  describe('ChangePassword', () => {
    it('should need the current password, end every other session and keep the caller\'s', async () => {
      const owner = await signUp();
      const other = dataOf(await logIn(owner.email, PASSWORD)).logIn!;

      const wrong = await sendAs(url(), owner.accessToken, ChangePasswordDocument, { currentPassword: 'not-the-password', newPassword: NEW_PASSWORD });
      expect(wrong.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
      const short = await sendAs(url(), owner.accessToken, ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'short' });
      expect(short.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });

      expect(dataOf(await sendAs(url(), owner.accessToken, ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).changePassword).toBe(true);
      expect(dataOf(await me(owner.accessToken)).me?.id).toBe(owner.id);
      expect(dataOf(await refresh(owner.refreshToken!)).refreshSession.accessToken).toEqual(expect.any(String));
      expect((await me(other.accessToken)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await refresh(other.refreshToken!)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await logIn(owner.email, PASSWORD)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(dataOf(await logIn(owner.email, NEW_PASSWORD)).logIn?.user.id).toBe(owner.id);
      expect(await auditTypes(owner.id)).toContain('PASSWORD_CHANGED');
    });
  });

  describe('RequestPasswordReset and ResetPassword', () => {
    it('should answer alike for an unknown email, and write nothing', async () => {
      const before = await sql<{ n: number }>("select count(*)::int as n from email_message where kind = 'PASSWORD_RESET'");
      expect(dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email: `nobody-${randomUUID()}@example.test` })).requestPasswordReset).toBe(true);
      expect(await sql<{ n: number }>("select count(*)::int as n from email_message where kind = 'PASSWORD_RESET'")).toEqual(before);
    });

    it('should email a single-use code through the outbox that resets the password, ends every session and opens a new one', async () => {
      const owner = await signUp();
      expect(dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email: owner.email.toUpperCase() })).requestPasswordReset).toBe(true);
      const [email] = await resetEmails(owner.id);
      expect(email).toMatchObject({ to_address: owner.email, transport: 'OUTBOX', sent_at: expect.anything() });
      const token = /reset code, valid for 30 minutes and usable once: ([A-Za-z0-9_-]{43})$/m.exec(email!.body)?.[1];
      expect(token).toBeDefined();
      // Stored hashed: the code is nowhere in its table.
      const [stored] = await sql<{ token_hash: string; expires_in_minutes: number }>(
        'select token_hash, round(extract(epoch from expires_at - created_at) / 60)::int as expires_in_minutes from password_reset_token where user_id = ?',
        [owner.id],
      );
      expect(stored).toMatchObject({ expires_in_minutes: 30 });
      expect(stored!.token_hash).not.toContain(token);

      const weak = await sendAs(url(), undefined, ResetPasswordDocument, { token: token!, newPassword: 'short' });
      expect(weak.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
      const { resetPassword } = dataOf(await sendAs(url(), undefined, ResetPasswordDocument, { token: token!, newPassword: NEW_PASSWORD }));
      expect(resetPassword.user).toMatchObject({ id: owner.id, email: owner.email });
      expect(dataOf(await me(resetPassword.accessToken)).me?.id).toBe(owner.id);
      expect((await me(owner.accessToken)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await refresh(owner.refreshToken!)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(dataOf(await logIn(owner.email, NEW_PASSWORD)).logIn?.user.id).toBe(owner.id);

      const again = await sendAs(url(), undefined, ResetPasswordDocument, { token: token!, newPassword: 'third-password-789' });
      expect(again.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
      expect(await auditTypes(owner.id)).toEqual(expect.arrayContaining(['PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET']));
    });

    it('should refuse an expired code, and spend the older codes when a new one is asked for', async () => {
      const owner = await signUp();
      dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email: owner.email }));
      dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email: owner.email }));
      const [first, second] = (await resetEmails(owner.id)).map((email) => /usable once: (\S+)$/m.exec(email.body)![1]!);
      const older = await sendAs(url(), undefined, ResetPasswordDocument, { token: first!, newPassword: NEW_PASSWORD });
      expect(older.errors[0]?.extensions?.reason).toBe('TOKEN_INVALID');
      await sql("update password_reset_token set expires_at = now() - interval '1 second' where user_id = ?", [owner.id]);
      const expired = await sendAs(url(), undefined, ResetPasswordDocument, { token: second!, newPassword: NEW_PASSWORD });
      expect(expired.errors[0]?.extensions?.reason).toBe('TOKEN_INVALID');
    });

    it('should limit requests per email, whether or not it has an account', async () => {
      for (const email of [(await signUp()).email, `nobody-${randomUUID()}@example.test`]) {
        for (let i = 0; i < 3; i++) dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email }));
        const limited = await sendAs(url(), undefined, RequestPasswordResetDocument, { email });
        expect(limited.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      }
    });
  });

  describe('RequestPasswordReset per client address', () => {
    it('should limit requests per client address, whatever the emails, and leave other addresses alone', async () => {
      // The test server trusts loopback proxies (TRUST_PROXY): X-Forwarded-For names the client address.
      const from = (address: string) => (email: string) =>
        postGraphql(url(), { query: print(RequestPasswordResetDocument), variables: { email } }, { 'x-forwarded-for': address });
      const crowded = from(`203.0.113.${1 + Math.floor(Math.random() * 250)}`);
      for (let i = 0; i < server.config.passwordReset.perAddress; i++) {
        expect((await crowded(`nobody-${randomUUID()}@example.test`)).body.data).toEqual({ requestPasswordReset: true });
      }
      const limited = await crowded(`nobody-${randomUUID()}@example.test`);
      expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      expect((await from('198.51.100.7')(`nobody-${randomUUID()}@example.test`)).body.data).toEqual({ requestPasswordReset: true });
    });
  });

  describe('DeleteMyAccount', () => {
    it('should refuse a wrong password, and an artisan who still has a shop with CONFLICT', async () => {
      const buyer = await signUp();
      const wrong = await sendAs(url(), buyer.accessToken, DeleteMyAccountDocument, { password: 'not-the-password' });
      expect(wrong.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
      const artisan = await signUp({ role: 'ARTISAN' });
      const shop = await createShop(server);
      await sql('update shop set owner_id = ? where id = ?', [artisan.id, shop.id]);
      const refused = await sendAs(url(), artisan.accessToken, DeleteMyAccountDocument, { password: PASSWORD });
      expect(refused.errors[0]?.extensions?.code).toBe('CONFLICT');
      expect(dataOf(await me(artisan.accessToken)).me?.email).toBe(artisan.email);
    });

    it('should leave no trace of the email, name or address anywhere, keep the order anonymised, end every session and free the email', async () => {
      const unique = randomUUID().slice(0, 8);
      const owner = await signUp({ displayName: `Zoé Quintana-${unique}` });
      const address = { name: `Zoé Quintana-${unique}`, line1: `${unique} impasse des Tisserands`, city: 'Annecy', postalCode: '74000', country: 'FR', phone: `+33 4 50 ${String(parseInt(unique, 36) % 100).padStart(2, '0')}` };
      const shop = await createShop(server);
      const [productId] = await createProducts(server, shop, [{ stock: 5, priceAmount: 1_200 }]);
      dataOf(await sendAs(url(), owner.accessToken, AddToCartDocument, { productId: productId!, quantity: 2 }));
      const { checkout } = dataOf(await sendAs(url(), owner.accessToken, CheckoutDocument, { input: { idempotencyKey: 'gone', shippingAddress: address } }));
      dataOf(await sendAs(url(), owner.accessToken, AddToCartDocument, { productId: productId!, quantity: 1 }));
      dataOf(await sendAs(url(), undefined, RequestPasswordResetDocument, { email: owner.email }));
      // The order is paid and its emails written (the worker is off here: their tasks are run by hand): the buyer's
      // confirmation in the outbox says the name and the address in clear, as the email itself must.
      await markPaid(server, checkout.id);
      const sendOrderEmail = notificationTasksOf(server)[sendOrderEmailJob.name]!;
      await sendOrderEmail({ orderId: checkout.id, kind: 'ORDER_CONFIRMATION', recipientId: owner.id }, byHand());
      await sendOrderEmail({ orderId: checkout.id, kind: 'NEW_ORDER', recipientId: shop.owner.id }, byHand());
      const before = await findTraces(server.database.orm.em.fork(), [owner.email, owner.displayName, address.line1, address.phone]);
      expect(before).toEqual(
        expect.arrayContaining([
          { table: 'public.email_message', column: 'to_address', needle: owner.email },
          { table: 'public.email_message', column: 'body', needle: owner.displayName },
          { table: 'public.email_message', column: 'body', needle: address.line1 },
          { table: 'public.email_message', column: 'body', needle: address.phone },
        ]),
      );

      const socket = openIdleConnection(server.wsUrl, owner.accessToken);
      await socket.connected;

      expect(dataOf(await sendAs(url(), owner.accessToken, DeleteMyAccountDocument, { password: PASSWORD })).deleteMyAccount).toBe(true);
      // Its live socket is closed as a banned user's is.
      expect(await within(socket.closed, 5_000, 'still open')).toBe(4403);

      expect(await findTraces(server.database.orm.em.fork(), [owner.email, owner.displayName, address.name, address.line1, address.phone])).toEqual([]);
      expect((await me(owner.accessToken)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await refresh(owner.refreshToken!)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await logIn(owner.email, PASSWORD)).errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      // The order stays for accounting, its buyer the anonymous row.
      const [order] = await sql<{ buyer_id: string; total_amount: number; email: string; display_name: string }>(
        'select o.buyer_id, o.total_amount, u.email, u.display_name from customer_order o join app_user u on u.id = o.buyer_id where o.id = ?',
        [checkout.id],
      );
      expect(order).toEqual({ buyer_id: owner.id, total_amount: 2_400, email: `deleted-${owner.id}@erased.invalid`, display_name: expect.stringMatching(/^ev1\./) });
      // The anonymous name is sealed like any other.
      expect(openUserDisplayName(owner.id, order!.display_name)).toBe('Deleted user');
      expect(await sql('select 1 from cart_line l join cart c on c.id = l.cart_id where c.buyer_id = ?', [owner.id])).toEqual([]);
      expect(await auditTypes(owner.id)).toContain('ACCOUNT_DELETED');
      // The email is free again.
      const { signUp: again } = dataOf(await sendAs(url(), undefined, SignUpDocument, { input: { email: owner.email, password: PASSWORD, displayName: 'Someone new' } }));
      expect(again.user.id).not.toBe(owner.id);
    });
  });
});
