import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { LogInDocument } from '../generated/graphql';
import { TEST_PASSWORD, signUp, uniqueEmail } from '../utils/accounts';
import { expectContractErrors } from '../utils/contract-errors';
import { send, type ClientError } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { executeOnRawSocket } from './raw-socket';

const WRONG_PASSWORD = 'not the password at all';

type Transport = 'HTTP' | 'WebSocket';

/** What one `logIn` answered: its errors (none when it succeeded) and the access token it gave. */
interface LogInOutcome {
  errors: readonly ClientError[];
  accessToken?: string;
}

/**
 * `logIn` as a client at `address` behind the trusted loopback proxy (TRUST_PROXY's default): over HTTP with
 * `X-Forwarded-For` on the request, over WebSocket with it on the upgrade request, as a proxy adds it.
 */
async function logIn(server: TestServer, transport: Transport, address: string, email: string, password: string): Promise<LogInOutcome> {
  const headers = { 'x-forwarded-for': address };
  if (transport === 'HTTP') {
    const response = await send(server, LogInDocument, { email, password }, { headers });
    return { errors: response.errors ?? [], accessToken: response.data?.logIn?.accessToken };
  }
  const result = await executeOnRawSocket(server.wsUrl, headers, { query: print(LogInDocument), variables: { email, password } });
  return { errors: (result.errors ?? []) as ClientError[], accessToken: (result.data?.logIn as { accessToken: string } | null | undefined)?.accessToken };
}

const codeOf = (outcome: LogInOutcome) => outcome.errors[0]?.extensions?.code ?? 'ok';

/** Every refusal must be one of the contract's, RATE_LIMITED with its `retryAfterSeconds`, BAD_USER_INPUT naming its field. */
function expectRefusedWith(outcome: LogInOutcome, code: string): void {
  expectContractErrors(outcome.errors as never);
  expect(outcome.errors.map((error) => error.extensions?.code)).toEqual([code]);
}

describe('log-in throttling that cannot be turned against the owner, over HTTP and WebSocket (production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Per account 10 and per (account, address) 5 failures (the defaults); 12 attempts per address, to reach that limit too.
    server = await startTestServer({ NODE_ENV: 'production', LOGIN_FAILURES_PER_ADDRESS: '12' });
  });
  afterAll(() => server?.close());

  it.each<Transport>(['HTTP', 'WebSocket'])(
    'should refuse an address after 5 failures on one account with RATE_LIMITED, its right password too, and nobody else, over %s',
    async (transport) => {
      const user = await signUp(server);
      // An address per transport: each also counts against its own limit of attempts.
      const address = transport === 'HTTP' ? '198.51.100.11' : '198.51.100.12';
      const codes: unknown[] = [];
      for (let i = 0; i < 6; i += 1) codes.push(codeOf(await logIn(server, transport, address, user.email, WRONG_PASSWORD)));
      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
      const refused = await logIn(server, transport, address, user.email, TEST_PASSWORD);
      expectRefusedWith(refused, 'RATE_LIMITED');
      expect(refused.errors[0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.errors[0]!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(900);
      const elsewhere = await logIn(server, transport, transport === 'HTTP' ? '198.51.100.13' : '198.51.100.14', user.email, TEST_PASSWORD);
      expect(elsewhere.errors).toEqual([]);
      expect(elsewhere.accessToken).toEqual(expect.any(String));
    },
  );

  it("should count one client's failures on both transports together: its address, by TRUST_PROXY, is the same", async () => {
    const user = await signUp(server);
    const codes: unknown[] = [];
    for (const transport of ['HTTP', 'WebSocket', 'HTTP', 'WebSocket', 'HTTP', 'WebSocket'] as const) {
      codes.push(codeOf(await logIn(server, transport, '198.51.100.21', user.email, WRONG_PASSWORD)));
    }
    expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
  });

  it.each<Transport>(['HTTP', 'WebSocket'])(
    "should let the owner in from an address that has not failed once the account's 10 failures are spent from many addresses, over %s",
    async (transport) => {
      const user = await signUp(server);
      const attackers = Array.from({ length: 5 }, (_, i) => `203.0.113.${transport === 'HTTP' ? 10 + i : 20 + i}`);
      // Two failures from each of five addresses, half over each transport: the account has failed 10 times.
      for (const [i, address] of attackers.entries()) {
        for (const via of [i % 2 ? 'HTTP' : 'WebSocket', 'HTTP'] as const) {
          expect(codeOf(await logIn(server, via, address, user.email, WRONG_PASSWORD))).toBe('UNAUTHENTICATED');
        }
      }
      // Every address that failed on the account is refused now, its right password included...
      expectRefusedWith(await logIn(server, transport, attackers[0]!, user.email, TEST_PASSWORD), 'RATE_LIMITED');
      expectRefusedWith(await logIn(server, transport, attackers[4]!, user.email, WRONG_PASSWORD), 'RATE_LIMITED');
      // ...a fresh address gets one guess, and is refused after it...
      const fresh = transport === 'HTTP' ? '203.0.113.30' : '203.0.113.31';
      expect(codeOf(await logIn(server, transport, fresh, user.email, WRONG_PASSWORD))).toBe('UNAUTHENTICATED');
      expectRefusedWith(await logIn(server, transport, fresh, user.email, WRONG_PASSWORD), 'RATE_LIMITED');
      // ...and the owner, from an address that never failed on the account, logs in with the right password.
      const owner = await logIn(server, transport, transport === 'HTTP' ? '192.0.2.77' : '192.0.2.78', user.email, TEST_PASSWORD);
      expect(owner.errors).toEqual([]);
      expect(owner.accessToken).toEqual(expect.any(String));
    },
  );

  it.each<Transport>(['HTTP', 'WebSocket'])(
    'should refuse an over-long email or password with BAD_USER_INPUT naming it before anything is counted, over %s',
    async (transport) => {
      const user = await signUp(server);
      const address = transport === 'HTTP' ? '198.51.100.41' : '198.51.100.42';
      const longEmail = await logIn(server, transport, address, `${'a'.repeat(3_000)}@example.test`, WRONG_PASSWORD);
      expectRefusedWith(longEmail, 'BAD_USER_INPUT');
      expect(longEmail.errors[0]!.extensions!.field).toBe('email');
      const longPassword = await logIn(server, transport, address, user.email, 'p'.repeat(129));
      expectRefusedWith(longPassword, 'BAD_USER_INPUT');
      expect(longPassword.errors[0]!.extensions!.field).toBe('password');
      // Nothing was counted: the pair still has its five failures before RATE_LIMITED.
      const codes: unknown[] = [];
      for (let i = 0; i < 6; i += 1) codes.push(codeOf(await logIn(server, transport, address, user.email, WRONG_PASSWORD)));
      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    },
  );

  it('should refuse an address spraying many accounts past its own limit, on both transports, even on an account it never tried', async () => {
    const codes: unknown[] = [];
    for (let i = 0; i < 14; i += 1) {
      codes.push(codeOf(await logIn(server, i % 2 ? 'WebSocket' : 'HTTP', '198.51.100.51', uniqueEmail('spray'), WRONG_PASSWORD)));
    }
    expect(codes).toEqual([...Array(12).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
    const fresh = await signUp(server);
    for (const transport of ['HTTP', 'WebSocket'] as const) {
      expectRefusedWith(await logIn(server, transport, '198.51.100.51', fresh.email, TEST_PASSWORD), 'RATE_LIMITED');
    }
    expect((await logIn(server, 'WebSocket', '198.51.100.52', fresh.email, TEST_PASSWORD)).errors).toEqual([]);
  });
});
