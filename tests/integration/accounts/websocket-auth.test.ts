import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { createAccessTokens } from '../../../src/modules/accounts/access-token';
import { CatalogDocument, LogOutDocument, MeDocument, MyOrdersDocument } from '../../generated/graphql';
import { signUp } from '../../utils/accounts';
import { wsClient, wsExecute } from '../../utils/clients';
import { send } from '../../utils/operations';
import { openIdleConnection } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('authenticating WebSocket connections in connection_init', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  /** How a connection whose connection_init carries `Bearer <token>` ends: 'connected', or its close code. */
  async function connect(token: string): Promise<'connected' | number> {
    const attempt = openIdleConnection(server.wsUrl, token);
    try {
      return await Promise.race([attempt.connected.then(() => 'connected' as const), attempt.closed]);
    } finally {
      await attempt.dispose();
    }
  }

  it('should accept an anonymous connection and serve it public operations only', async () => {
    const client = wsClient(server.wsUrl);
    try {
      expect((await wsExecute(client, CatalogDocument, { first: 1 })).errors).toBeUndefined();
      // `me` is null for an anonymous caller; what needs a caller is refused.
      expect(await wsExecute(client, MeDocument)).toEqual({ data: { me: null }, extensions: { cost: expect.any(Object) } });
      const orders = await wsExecute(client, MyOrdersDocument, { first: 1 });
      expect(orders.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    } finally {
      await client.dispose();
    }
  });

  it('should accept a valid token and know the user in every operation', async () => {
    const user = await signUp(server);
    expect(await connect(user.token)).toBe('connected');
    const client = wsClient(server.wsUrl, user.token);
    try {
      expect((await wsExecute(client, MeDocument)).data?.me?.id).toBe(user.id);
    } finally {
      await client.dispose();
    }
  });

  it('should close with 4401 a connection whose token is forged, expired, or of an ended session: refresh or log in, then reconnect', async () => {
    const user = await signUp(server);
    const forged = `${user.token.slice(0, -4)}AAAA`;
    const past = createAccessTokens({ secret: server.config.auth.jwtSecret, ttlSeconds: 900, clock: { now: () => new Date(Date.now() - 3_600_000) } });
    const expired = (await past.sign({ userId: user.id, sessionId: decodeJwt(user.token).sid as string })).token;
    expect(await connect(forged)).toBe(4401);
    expect(await connect('garbage')).toBe(4401);
    expect(await connect(expired)).toBe(4401);
    await send(server, LogOutDocument, { refreshToken: user.refreshToken });
    expect(await connect(user.token)).toBe(4401);
    // A banned account's connection closes with 4403: tests/integration/accounts/ban.test.ts.
  });
});
