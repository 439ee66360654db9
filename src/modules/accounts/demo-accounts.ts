import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import type { AccessTokens } from './access-token';
import { hashPassword } from './password-hashing';
import { sealUserDisplayName } from './sealed-display-name';

/**
 * Known passwords of the development demo accounts. Public on purpose (they are in this file and printed at
 * start-up): never used outside `NODE_ENV=development`.
 */
export const DEMO_PASSWORDS = {
  buyer: 'demo-buyer-password',
  artisan: 'demo-artisan-password',
  admin: 'demo-admin-password',
} as const;

export const DEMO_BUYER_EMAIL = 'buyer@demo.atelier.test';
export const DEMO_ADMIN_EMAIL = 'admin@demo.atelier.test';
/** The demo catalogue's artisans (`artisan<N>@demo.atelier.test`) each own one demo shop. */
const DEMO_ARTISAN_EMAIL_PATTERN = 'artisan%@demo.atelier.test';

export interface DemoAccounts {
  buyer: string;
  admin: string;
  /** Emails of the demo artisans, first shops first. */
  artisans: string[];
  /** A ready `Authorization` header value of the demo buyer (an access token of a session opened now). */
  buyerAuthorization: string;
}

/**
 * Makes the demo accounts usable in development: one BUYER and one ADMIN (created if missing), and every demo
 * artisan (who owns its demo shop) given a known password. Idempotent: a password someone changed stays.
 * Refuses to run in production, whatever the caller thinks.
 */
export async function ensureDemoAccounts(
  em: EntityManager,
  deps: { nodeEnv: string; accessTokens: AccessTokens; now: Date },
): Promise<DemoAccounts> {
  if (deps.nodeEnv !== 'development') throw new Error('demo accounts exist in development only');
  const [buyerHash, artisanHash, adminHash] = await Promise.all([
    hashPassword(DEMO_PASSWORDS.buyer),
    hashPassword(DEMO_PASSWORDS.artisan),
    hashPassword(DEMO_PASSWORDS.admin),
  ]);
  const sessionId = newId();
  const { buyerId, artisans } = await em.transactional(async (tx) => {
    const insert = (email: string, name: string, hash: string, role: string) => {
      const id = newId();
      return runSql(
        tx,
        `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'ACTIVE', ?, ?) on conflict (email) do nothing`,
        [id, email, sealUserDisplayName(id, name), hash, role, deps.now, deps.now],
      );
    };
    await insert(DEMO_BUYER_EMAIL, 'Demo buyer', buyerHash, 'BUYER');
    await insert(DEMO_ADMIN_EMAIL, 'Demo admin', adminHash, 'ADMIN');
    // '!' is the demo catalogue's "no password": only those are set, never one that was changed since.
    await runSql(tx, `update app_user set password_hash = ? where email like ? and password_hash = '!'`, [artisanHash, DEMO_ARTISAN_EMAIL_PATTERN]);
    const artisanRows = await runSql<{ email: string }>(
      tx,
      `select u.email from app_user u join shop s on s.owner_id = u.id where u.email like ? order by s.id`,
      [DEMO_ARTISAN_EMAIL_PATTERN],
    );
    const [buyer] = await runSql<{ id: string }>(tx, 'select id from app_user where email = ?', [DEMO_BUYER_EMAIL]);
    await runSql(tx, 'insert into auth_session (id, user_id, created_at) values (?, ?, ?)', [sessionId, buyer!.id, deps.now]);
    return { buyerId: buyer!.id, artisans: artisanRows.map((row) => row.email) };
  });
  const access = await deps.accessTokens.sign({ userId: buyerId, sessionId });
  return { buyer: DEMO_BUYER_EMAIL, admin: DEMO_ADMIN_EMAIL, artisans, buyerAuthorization: `Bearer ${access.token}` };
}

/** The start-up note of the demo accounts: who to log in as, where, and a header to paste into Sandbox. */
export function describeDemoAccounts(accounts: DemoAccounts, graphqlUrl: string): string {
  const artisans = accounts.artisans.length ? `${accounts.artisans.slice(0, 3).join(', ')}${accounts.artisans.length > 3 ? `, … (${accounts.artisans.length})` : ''}` : 'none';
  return [
    'Development demo accounts (never in production):',
    `  buyer     ${accounts.buyer} / ${DEMO_PASSWORDS.buyer}`,
    `  artisans  ${artisans} / ${DEMO_PASSWORDS.artisan} (each owns its demo shop)`,
    `  admin     ${accounts.admin} / ${DEMO_PASSWORDS.admin}`,
    `  Sandbox   ${graphqlUrl}`,
    `  Headers   {"Authorization": "${accounts.buyerAuthorization}"}   (the demo buyer, for 15 minutes)`,
  ].join('\n');
}
