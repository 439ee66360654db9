import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSql } from '../../../src/shared/sql';
import { UsersDocument } from '../../generated/graphql';
import { logIn, uniqueEmail } from '../../utils/accounts';
import { send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

const ROOT = join(__dirname, '..', '..', '..');

/** Runs a compiled script with `stdin` as its standard input; resolves with its exit code and output. */
function run(script: string, args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('the command line: create-admin and a production start without secrets', () => {
  let server: TestServer;
  let build: string;

  beforeAll(async () => {
    server = await startTestServer();
    // What `npm run build` makes, in a directory of this test's own (inside the repository, so that
    // node_modules resolves), instead of dist/, which someone may be using.
    build = mkdtempSync(join(ROOT, '.test-builds-'));
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', build], { cwd: ROOT });
  }, 120_000);
  afterAll(async () => {
    if (build) rmSync(build, { recursive: true, force: true });
    await server?.close();
  });

  const createAdmin = (args: string[], stdin: string) =>
    // The server's key ring, as in a deployment: the name the script seals must open in the API.
    run(join(build, 'scripts', 'create-admin.js'), args, { DATABASE_URL: server.database.url, LOG_LEVEL: 'silent', DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS! }, stdin);

  it('should create an ADMIN account with the password read from standard input', async () => {
    const email = uniqueEmail('ops');
    const password = 'a long and unusual passphrase 7';
    const result = await createAdmin(['--email', email.toUpperCase(), '--name', 'Ops'], `${password}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`created ADMIN ${email}`);
    const admin = await logIn(server, email, password);
    expect(admin.role).toBe('ADMIN');
    expect((await send(server, UsersDocument, { first: 1 }, { token: admin.token })).errors).toBeUndefined();
    const audit = await runSql<{ type: string }>(server.database.orm.em.fork(), 'select type from audit_event where user_id = ?', [admin.id]);
    expect(audit.map((row) => row.type)).toContain('ADMIN_CREATED');
  });

  it('should refuse weak passwords, and create nothing', async () => {
    const email = uniqueEmail('weak');
    for (const password of ['short', '1234567890', 'aaaaaaaaaaaa', `${email.split('@')[0]}-secret!`]) {
      const result = await createAdmin(['--email', email], `${password}\n`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/password/i);
    }
    const rows = await runSql(server.database.orm.em.fork(), 'select 1 from app_user where email = ?', [email]);
    expect(rows).toHaveLength(0);
  });

  it('should refuse an email that already has an account, and a missing --email', async () => {
    const email = uniqueEmail('twice');
    expect((await createAdmin(['--email', email], 'first unusual passphrase 1\n')).code).toBe(0);
    const again = await createAdmin(['--email', email], 'second unusual passphrase 2\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const usage = await createAdmin([], 'whatever passphrase 3\n');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('--email');
  });

  it('should stop a production start without JWT_SECRET or Stripe keys with a message naming them', async () => {
    const result = await run(join(build, 'src', 'main.js'), [], { NODE_ENV: 'production', DATABASE_URL: server.database.url });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stderr).toMatch(/required in production/);
    // And without Stripe: the DEVELOPMENT provider takes no money.
    expect(result.stderr).toContain('STRIPE_SECRET_KEY');
    expect(result.stderr).toContain('STRIPE_WEBHOOK_SECRET');
  });
});
