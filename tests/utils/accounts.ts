import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/modules/accounts/user.entity';
import { LogInDocument, SignUpDocument } from '../generated/graphql';
import type { TestUser } from './buyers';
import { send } from './operations';
import type { TestServer } from './test-server';

/** A password that every test account gets unless told otherwise: within the 10–128 characters rule. */
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * A user made through the API's account flows (SignUp, LogIn): a {@link TestUser} (its `token` is the access token
 * of the session those flows opened), with the password it can log in with again and the session's refresh token.
 */
export type TestAccount = TestUser & { password: string; refreshToken: string };

/** A new address nobody in this run has used. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

/** The session id (`sid`) that an access token carries. */
function sessionOf(accessToken: string): string {
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid?: unknown };
  if (typeof claims.sid !== 'string') throw new Error('an access token without a session id');
  return claims.sid;
}

function accountOf(
  payload: { user: { id: string; role?: string | null }; accessToken: string; refreshToken?: string | null },
  email: string,
  password: string,
): TestAccount {
  return { id: payload.user.id, email, password, role: payload.user.role as Role, sessionId: sessionOf(payload.accessToken), token: payload.accessToken, refreshToken: payload.refreshToken! };
}

/** Signs up through the API (SignUp of the contract). Fails the test if it does not succeed. */
export async function signUp(
  server: TestServer,
  input: { email?: string; password?: string; displayName?: string; role?: 'BUYER' | 'ARTISAN' } = {},
): Promise<TestAccount> {
  const email = input.email ?? uniqueEmail(input.role?.toLowerCase() ?? 'buyer');
  const password = input.password ?? TEST_PASSWORD;
  const response = await send(server, SignUpDocument, {
    input: { email, password, displayName: input.displayName ?? 'Test User', role: input.role ?? null },
  });
  const payload = response.data?.signUp;
  if (!payload) throw new Error(`sign-up failed: ${JSON.stringify(response.errors)}`);
  return accountOf(payload, email, password);
}

/** Logs in through the API (LogIn of the contract): a new session. Fails the test if it does not succeed. */
export async function logIn(server: TestServer, email: string, password = TEST_PASSWORD): Promise<TestAccount> {
  const response = await send(server, LogInDocument, { email, password });
  const payload = response.data?.logIn;
  if (!payload) throw new Error(`log-in failed: ${JSON.stringify(response.errors)}`);
  return accountOf(payload, email, password);
}

