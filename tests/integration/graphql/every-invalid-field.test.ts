import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, CreateProductDocument, CreateShopDocument, SignUpDocument } from '../../generated/graphql';
import { signUp, uniqueEmail } from '../../utils/accounts';
import { send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** The problems a BAD_USER_INPUT names, as `field` → message. */
function problemsOf(response: { errors?: { extensions?: Record<string, unknown> }[] }) {
  expect(response.errors).toHaveLength(1);
  const extensions = response.errors![0]!.extensions!;
  expect(extensions.code).toBe('BAD_USER_INPUT');
  const fields = extensions.fields as { field: string; message: string }[];
  expect(extensions.field).toBe(fields[0]!.field);
  return fields.map((problem) => problem.field);
}

describe('every invalid field of an input, reported at once', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
  });
  afterAll(() => server?.close());

  it('should name every invalid field of SignUp, the email checked by the service included', async () => {
    const response = await send(server, SignUpDocument, { input: { email: 'not-an-email', password: 'short', displayName: '   ' } });
    expect(problemsOf(response)).toEqual(['input.email', 'input.password', 'input.displayName']);
  });

  it('should name every invalid field of CreateShop', async () => {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    const response = await send(server, CreateShopDocument, { input: { name: '   ', country: 'FRA', currency: 'XYZ' } }, { token: artisan.token });
    expect(problemsOf(response)).toEqual(['input.name', 'input.country', 'input.currency']);
  });

  it('should name every invalid field of a shipping address at checkout', async () => {
    const shop = await createShop(server);
    const [productId] = await createProducts(server, shop, [{}]);
    const buyer = await signUp(server);
    await send(server, AddToCartDocument, { productId: productId!, quantity: 1 }, { token: buyer.token });
    const response = await send(
      server,
      CheckoutDocument,
      { input: { idempotencyKey: uniqueEmail(), shippingAddress: { ...ADDRESS, name: ' ', city: '', country: 'France' } } },
      { token: buyer.token },
    );
    expect(problemsOf(response)).toEqual(['input.shippingAddress.name', 'input.shippingAddress.city', 'input.shippingAddress.country']);
  });

  it('should name every invalid field of CreateProduct', async () => {
    const shop = await createShop(server);
    const response = await send(
      server,
      CreateProductDocument,
      { input: { title: ' ', priceAmount: -1, categoryId: 'not-an-id', initialStock: -5 } },
      { token: shop.owner.token },
    );
    expect(problemsOf(response)).toEqual(['input.title', 'input.priceAmount', 'input.categoryId', 'input.initialStock']);
  });
});
