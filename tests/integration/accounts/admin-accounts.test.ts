import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infra/logger';
import { adminAccountService } from '../../../src/modules/accounts/create-admin';
import { Role, UserStatus } from '../../../src/modules/accounts/user.entity';
import { systemScope, type ServiceScope } from '../../../src/modules/service-scope';
import { systemClock } from '../../../src/shared/clock';
import { runSql } from '../../../src/shared/sql';
import { uniqueEmail } from '../../utils/accounts';
import { startTestServer, type TestServer } from '../../utils/test-server';

const PASSWORD = 'a long and unusual passphrase 9';

/**
 * `npm run create-admin` calls the accounts module's service as the system actor `create-admin` (see
 * tests/integration/accounts/cli.test.ts for the script itself): what it writes names that actor and the run.
 */
describe('making ADMIN accounts through the service', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
  });
  afterAll(() => server?.close());

  const scopeOf = (requestId: string) => systemScope({ orm: server.database.orm, clock: systemClock, logger: createLogger('silent') }, 'create-admin', requestId);

  it('should create an ADMIN account as the system actor, audited with the actor and the run that made it', async () => {
    const email = uniqueEmail('ops');
    const admin = await adminAccountService.create(scopeOf('run-1'), { email, password: PASSWORD, displayName: ' Ops ' });
    expect(admin).toMatchObject({ email, displayName: 'Ops', role: Role.ADMIN, status: UserStatus.ACTIVE });
    const audit = await runSql<{ type: string; actor_id: string | null; request_id: string; client_address: string | null; details: unknown }>(
      server.database.orm.em.fork(),
      'select type, actor_id, request_id, client_address, details from audit_event where user_id = ?',
      [admin.id],
    );
    expect(audit).toEqual([{ type: 'ADMIN_CREATED', actor_id: null, request_id: 'run-1', client_address: null, details: { via: 'create-admin' } }]);
  });

  it("should refuse a user's scope, even an ADMIN's, before it touches anything", async () => {
    const email = uniqueEmail('escalation');
    const viewer = { userId: '0192f0c4-0000-7000-8000-000000000000', sessionId: '0192f0c4-0000-7000-8000-000000000001', role: Role.ADMIN, status: UserStatus.ACTIVE, record: null };
    const untouchable = () => {
      throw new Error('the database was reached');
    };
    const userScope = {
      ...scopeOf('run-2'),
      actor: { kind: 'viewer', viewer },
      viewer,
      get em(): never {
        return untouchable();
      },
    } as ServiceScope;
    await expect(adminAccountService.create(userScope, { email, password: PASSWORD, displayName: 'Escalation' })).rejects.toThrow('only an operator script creates ADMIN accounts');
    const [row] = await runSql<{ n: number }>(server.database.orm.em.fork(), 'select count(*)::int as n from app_user where email = ?', [email]);
    expect(row!.n).toBe(0);
  });
});
