import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { hashPassword } from '../../src/modules/accounts/password-hashing';
import { Role, User, UserStatus } from '../../src/modules/accounts/user.entity';
import { LogInDocument, SignUpDocument, type Role as ContractRole } from '../generated/graphql';
import { postGraphql } from './clients';
import type { TestServer } from './test-server';

/** A password that every test account gets unless told otherwise: within the 10–128 characters rule. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A logged-in account: who it is, and the tokens of its session. */
export interface TestAccount {
  id: string;
  email: string;
  password: string;
  role: ContractRole;
  accessToken: string;
  refreshToken: string;
}

/** An error as a client receives it. */
export interface ClientError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; reason?: string; retryAfterSeconds?: number } & Record<string, unknown>;
}

export interface GraphqlResponse<R> {
  status: number;
  data?: R | null;
  errors?: ClientError[];
}

export interface SendOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** A new address nobody in this run has used. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.test`;
}

/** Sends one typed operation as a raw POST (no client cache, every error visible). */
export async function send<R, V>(server: TestServer, document: TypedDocumentNode<R, V>, variables: V, options: SendOptions = {}): Promise<GraphqlResponse<R>> {
  const headers = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  const response = await postGraphql(server.graphqlUrl, { query: print(document), variables }, headers);
  return { status: response.status, data: response.body.data as R | null | undefined, errors: response.body.errors as ClientError[] | undefined };
}

/** The codes of a response's errors, in order. */
export function errorCodes(response: { errors?: ClientError[] }): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
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
  return { id: payload.user.id, email, password, role: payload.user.role!, accessToken: payload.accessToken, refreshToken: payload.refreshToken! };
}

/** Logs in through the API (LogIn of the contract): a new session. Fails the test if it does not succeed. */
export async function logIn(server: TestServer, email: string, password = TEST_PASSWORD): Promise<TestAccount> {
  const response = await send(server, LogInDocument, { email, password });
  const payload = response.data?.logIn;
  if (!payload) throw new Error(`log-in failed: ${JSON.stringify(response.errors)}`);
  return { id: payload.user.id, email, password, role: payload.user.role!, accessToken: payload.accessToken, refreshToken: payload.refreshToken! };
}

/**
 * An operator account (ADMIN by default, or SUPPORT), written straight to the database as `create-admin`
 * does, then logged in through the API.
 */
export async function createStaff(server: TestServer, role: Role.ADMIN | Role.SUPPORT = Role.ADMIN): Promise<TestAccount> {
  const email = uniqueEmail(role.toLowerCase());
  const em = server.database.orm.em.fork();
  em.create(User, { email, displayName: `Test ${role}`, passwordHash: await hashPassword(TEST_PASSWORD), role, status: UserStatus.ACTIVE, createdAt: new Date(), updatedAt: new Date() });
  await em.flush();
  return logIn(server, email);
}

/** Waits until `check` passes, polling every 20 ms, or fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
