import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { sealUserDisplayName } from '../../src/modules/accounts/sealed-display-name';
import { Session } from '../../src/modules/accounts/session.entity';
import { Role, User, UserStatus } from '../../src/modules/accounts/user.entity';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ensureTestCipher } from './encryption';

/** Where fixtures are written and tokens signed: a TestServer, or a database shared with spawned servers. */
export interface FixtureTarget {
  database: { orm: MikroORM };
  config: { auth: { jwtSecret: string } };
}

/**
 * A user of the tests, with a live session and an access token for it: written straight through the ORM by
 * `createUser(s)` (the usual fixture, for any role, operators included), or made through the API's account flows by
 * `signUp`/`logIn` of `accounts.ts` (a `TestAccount`, which adds the password and the refresh token).
 */
export interface TestUser {
  id: string;
  email: string;
  role: Role;
  sessionId: string;
  /** `Authorization: Bearer <token>` makes a request this user's. */
  token: string;
}

/**
 * Users with sessions and signed access tokens, without the sign-up and login mutations: what the commerce
 * tests need is a caller, not the account flows. `passwordHash` '!' is no argon2 hash: nobody can log in.
 */
export async function createUsers(server: FixtureTarget, count: number, role: Role = Role.BUYER): Promise<TestUser[]> {
  const em = server.database.orm.em.fork();
  const tokens = createAccessTokens({ secret: server.config.auth.jwtSecret, ttlSeconds: 3_600, clock: systemClock });
  await ensureTestCipher();
  const rows = Array.from({ length: count }, () => {
    const id = newId();
    const now = new Date();
    const user = em.create(User, {
      id,
      email: `${role.toLowerCase()}-${id}@test.atelier`,
      sealedDisplayName: sealUserDisplayName(id, `${role} ${id.slice(-6)}`),
      passwordHash: '!',
      role,
      status: UserStatus.ACTIVE,
      createdAt: now,
      updatedAt: now,
    });
    const session = em.create(Session, { user, createdAt: now });
    return { user, session };
  });
  await em.flush();
  return Promise.all(
    rows.map(async ({ user, session }) => ({
      id: user.id,
      email: user.email,
      role,
      sessionId: session.id,
      token: (await tokens.sign({ userId: user.id, sessionId: session.id })).token,
    })),
  );
}

/** One user of `role` (default BUYER), as `createUsers` writes them. */
export async function createUser(server: FixtureTarget, role: Role = Role.BUYER): Promise<TestUser> {
  const [user] = await createUsers(server, 1, role);
  return user!;
}
