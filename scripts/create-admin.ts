/**
 * `npm run create-admin -- --email E [--name N]`: creates an ADMIN account in DATABASE_URL (or the embedded
 * default). The password is read from standard input (its first line), so that it appears neither in the
 * shell history nor in the process list: `printf '%s\n' "$PASSWORD" | npm run create-admin -- --email E`,
 * or type it when asked (it is not hidden: use a private terminal). Weak passwords are refused.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { CreateAdminError, adminInputProblem } from '../src/modules/accounts/create-admin';
import { moduleEntities } from '../src/modules/index';
import { systemScope } from '../src/modules/service-scope';
import { systemClock } from '../src/shared/clock';
import { createWorkerServices } from '../src/worker';

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password of the new ADMIN (10 to 128 characters, not hidden): ');
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    input += chunk as string;
    // The first line is the password: stop reading there, so that a terminal need not send end-of-file.
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string', default: 'Administrator' } } });
  if (!values.email) throw new CreateAdminError('Usage: npm run create-admin -- --email <email> [--name <display name>] (password on standard input)');
  const input = { email: values.email, password: await readPassword(), displayName: values.name ?? 'Administrator' };
  const problem = adminInputProblem(input);
  if (problem) throw new CreateAdminError(problem);
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities, 'jobs');
  try {
    // The same service as the API's, called as the system actor `create-admin`.
    const services = createWorkerServices({ config, orm: database.orm, logger });
    const admin = await services.adminAccountService.create(systemScope({ orm: database.orm, clock: systemClock, logger }, 'create-admin'), input);
    console.log(`created ADMIN ${admin.email} (${admin.id})`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof CreateAdminError ? error.message : error);
    process.exit(1);
  },
);
