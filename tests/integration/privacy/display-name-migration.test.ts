import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openDatabase } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { openUserDisplayName } from '../../../src/modules/accounts/sealed-display-name';
import { moduleEntities } from '../../../src/modules/index';
import { newId } from '../../../src/shared/ids';
import { runSql } from '../../../src/shared/sql';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { installTestCipher } from '../../utils/encryption';

/** The last migration before display names were sealed. */
const BEFORE_SEALING = 'Migration20261128230000_catalog_changed';

describe('The migration that seals display names', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    // No key ring yet: the first test needs none loaded (each test file has its own module state).
    db = await createTestDatabase();
    orm = await openDatabase({ url: db.url, entities: moduleEntities, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('should refuse to run without a key ring when there are names to seal, and change nothing', async () => {
    const migrator = orm.getMigrator();
    await migrator.down({ to: BEFORE_SEALING });
    const id = newId();
    await runSql(orm.em.fork(), `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at) values (?, 'unkeyed@example.test', 'Unkeyed', '!', 'BUYER', 'ACTIVE', now(), now())`, [id]);
    await expect(migrator.up()).rejects.toThrow('display names to seal but no key ring loaded');
    const [row] = await runSql<{ display_name: string }>(orm.em.fork(), 'select display_name from app_user where id = ?', [id]);
    expect(row?.display_name).toBe('Unkeyed');
    // Back to the latest migration for the next test: with no user, nothing needs the ring.
    await runSql(orm.em.fork(), 'delete from app_user where id = ?', [id]);
    await migrator.up();
  });

  it('should seal the names of users written before it, each bound to its row, and open them back when reverted', async () => {
    await installTestCipher();
    const migrator = orm.getMigrator();
    await migrator.down({ to: BEFORE_SEALING });
    const em = orm.em.fork();
    const users = [
      { id: newId(), name: "Zoë O'Hara" },
      { id: newId(), name: "Zoë O'Hara" },
      { id: newId(), name: 'Kenji 田中 ? \\ "quoted"' },
    ];
    for (const [index, user] of users.entries()) {
      await runSql(em, `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at) values (?, ?, ?, '!', 'BUYER', 'ACTIVE', now(), now())`, [
        user.id,
        `old-${index}@example.test`,
        user.name,
      ]);
    }

    await migrator.up();

    const sealed = await runSql<{ id: string; display_name: string }>(em, 'select id, display_name from app_user where id = any(?::uuid[])', [users.map((user) => user.id)]);
    const byId = new Map(sealed.map((row) => [row.id, row.display_name]));
    for (const user of users) {
      expect(byId.get(user.id)).toMatch(/^ev1\.test-1\./);
      expect(openUserDisplayName(user.id, byId.get(user.id)!)).toBe(user.name);
    }
    // Equal names, sealed differently.
    expect(byId.get(users[0]!.id)).not.toBe(byId.get(users[1]!.id));

    await migrator.down({ to: BEFORE_SEALING });
    const plain = await runSql<{ id: string; display_name: string }>(em, 'select id, display_name from app_user where id = any(?::uuid[])', [users.map((user) => user.id)]);
    expect(new Map(plain.map((row) => [row.id, row.display_name]))).toEqual(new Map(users.map((user) => [user.id, user.name])));
    await migrator.up();
  });
});
