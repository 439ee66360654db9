import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { LogInDocument, LogOutDocument, MeDocument, RefreshSessionDocument, RefreshSessionWithCookieDocument, SignUpDocument } from '../../generated/graphql';
import { TEST_PASSWORD, uniqueEmail } from '../../utils/accounts';
import { startTestServer, type TestServer } from '../../utils/test-server';

/**
 * A browser's cookie jar, as far as this API needs one: keeps what `Set-Cookie` says for the GraphQL path (name, value,
 * attributes; `Max-Age=0` forgets) and sends the cookies back on the next request.
 */
class CookieJar {
  readonly cookies = new Map<string, { value: string; attributes: string[] }>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((part) => part.trim());
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) this.cookies.delete(name);
      else this.cookies.set(name, { value, attributes });
    }
  }

  header(): string {
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }
}

describe('the cookie transport of refresh tokens (browsers)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  /** A POST as a browser's Apollo Client sends it: JSON (so CSRF prevention lets it through), with the jar's cookies. */
  async function post(jar: CookieJar, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(jar.cookies.size ? { cookie: jar.header() } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    jar.store(response);
    return { status: response.status, body: (await response.json()) as { data?: Record<string, any> | null; errors?: { extensions?: Record<string, unknown> }[] } };
  }
  const cookieTransport = { 'x-refresh-token-transport': 'cookie' };

  it('should sign up, refresh twice from the cookie alone, and log out clearing it, never putting the token in a body', async () => {
    const jar = new CookieJar();
    const email = uniqueEmail();
    const signedUp = await post(jar, print(SignUpDocument), { input: { email, password: TEST_PASSWORD, displayName: 'Cookie Eater' } }, cookieTransport);
    expect(signedUp.body.errors).toBeUndefined();
    expect(signedUp.body.data!.signUp.refreshToken).toBeNull();
    const cookie = jar.cookies.get('atelier_refresh_token')!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toEqual(expect.arrayContaining(['Path=/graphql', 'HttpOnly', 'Secure', 'SameSite=Strict', 'Max-Age=2592000']));

    const firstValue = cookie.value;
    const refreshed = await post(jar, print(RefreshSessionWithCookieDocument), {});
    expect(refreshed.body.errors).toBeUndefined();
    expect(refreshed.body.data!.refreshSession).toEqual({ accessToken: expect.any(String), accessTokenExpiresAt: expect.any(String) });
    expect(jar.cookies.get('atelier_refresh_token')!.value).not.toBe(firstValue);
    const again = await post(jar, print(RefreshSessionWithCookieDocument), {});
    expect(again.body.errors).toBeUndefined();
    const accessToken = again.body.data!.refreshSession.accessToken as string;
    const me = await post(jar, print(MeDocument), {}, { authorization: `Bearer ${accessToken}` });
    expect(me.body.data!.me).toMatchObject({ email });

    // The contract's LogOut, whose variable is required: a cookie-transport client, which never sees its token, sends ''.
    const loggedOut = await post(jar, print(LogOutDocument), { refreshToken: '' });
    expect(loggedOut.body).toEqual({ data: { logOut: true }, extensions: { cost: expect.objectContaining({ requested: 0 }) } });
    expect(jar.cookies.size).toBe(0);
    const afterLogOut = await post(jar, print(MeDocument), {}, { authorization: `Bearer ${accessToken}` });
    expect(afterLogOut.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    const noCookie = await post(jar, print(RefreshSessionWithCookieDocument), {});
    expect(noCookie.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('should set the cookie on LogIn and on a RefreshSession that asks for it, and keep the body transport for everyone else', async () => {
    const email = uniqueEmail();
    const bodyJar = new CookieJar();
    const signedUp = await post(bodyJar, print(SignUpDocument), { input: { email, password: TEST_PASSWORD, displayName: 'Body' } });
    expect(signedUp.body.data!.signUp.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bodyJar.cookies.size).toBe(0);

    const jar = new CookieJar();
    const loggedIn = await post(jar, print(LogInDocument), { email, password: TEST_PASSWORD }, cookieTransport);
    expect(loggedIn.body.data!.logIn.refreshToken).toBeNull();
    expect(jar.cookies.has('atelier_refresh_token')).toBe(true);

    // A client that held its token in the body moves it into a cookie.
    const moved = new CookieJar();
    const rotated = await post(moved, print(RefreshSessionDocument), { refreshToken: signedUp.body.data!.signUp.refreshToken }, cookieTransport);
    expect(rotated.body.data!.refreshSession.refreshToken).toBeNull();
    expect(moved.cookies.has('atelier_refresh_token')).toBe(true);
    expect((await post(moved, print(RefreshSessionWithCookieDocument), {})).body.errors).toBeUndefined();
  });

  it("should keep Apollo's CSRF prevention: a simple request (a form's) carrying the cookie is refused before it runs", async () => {
    const jar = new CookieJar();
    await post(jar, print(SignUpDocument), { input: { email: uniqueEmail(), password: TEST_PASSWORD, displayName: 'Csrf' } }, cookieTransport);
    const before = jar.cookies.get('atelier_refresh_token')!.value;
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('mutation { refreshSession { accessToken } }')}`, {
      method: 'GET',
      headers: { cookie: jar.header() },
    });
    expect(response.status).toBe(400);
    const form = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: jar.header() },
      body: JSON.stringify({ query: 'mutation { refreshSession { accessToken } }' }),
    });
    expect(form.status).toBe(400);
    expect(form.headers.getSetCookie()).toEqual([]);
    // The cookie was not spent: it still rotates.
    expect((await post(jar, print(RefreshSessionWithCookieDocument), {})).body.errors).toBeUndefined();
    expect(jar.cookies.get('atelier_refresh_token')!.value).not.toBe(before);
  });
});
