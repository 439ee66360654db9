import { ConfigError, loadConfig, type Config } from './config/config';
import type { Logger } from './infra/logger';

/** The configuration, or exit 78 (EX_CONFIG) with the message that names every wrong variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * On SIGINT or SIGTERM: run `stop` (drain, close), then exit 0. A second signal, or `stop` outlasting the
 * grace period by 10 s, exits 1 at once. `what` names the process in the log (`server`, `worker`).
 */
export function stopOnSignals(logger: Logger, config: Config, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, `${what} shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`${what} shutdown took too long: exiting`);
      process.exit(1);
    }, config.shutdownDelayMs + config.shutdownGraceMs + 10_000);
    deadline.unref();
    stop().then(
      () => {
        logger.info(`${what} stopped cleanly`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, `error during ${what} shutdown`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * A start-up failure the operator can fix, with a message that says how (`PORT 4000 is in use: set PORT …`):
 * printed alone, without a stack trace that would bury it.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The listener's failure as a {@link StartupError} naming the variable to change, or the error itself. */
export function describeListenError(error: unknown, config: Pick<Config, 'port' | 'host'>): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`PORT ${config.port} is in use on ${config.host}: set PORT to a free port, or stop the process that holds it.`, { cause: error });
  }
  if (code === 'EACCES') {
    return new StartupError(`PORT ${config.port} needs privileges this process lacks: set PORT to 1024 or above.`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(`HOST ${config.host} is not an address of this machine: set HOST (0.0.0.0 listens on every interface).`, { cause: error });
  }
  return error;
}

/** The database's failure to answer as a {@link StartupError} naming DATABASE_URL, or the error itself. */
export function describeDatabaseError(error: unknown, config: Pick<Config, 'databaseUrl'>): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (!config.databaseUrl || !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', '28P01', '3D000'].includes(code ?? '')) return error;
  const { hostname, port, pathname } = new URL(config.databaseUrl);
  const where = `${hostname}:${port || 5432}${pathname}`;
  const reason =
    code === '28P01' ? 'refused the password' : code === '3D000' ? 'has no such database' : `does not answer (${code})`;
  return new StartupError(`PostgreSQL at ${where} ${reason}: check DATABASE_URL (unset it to use the embedded PostgreSQL).`, { cause: error });
}

/** The entry point's last word: an error that escaped start-up is printed and the process exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof StartupError ? error.message : error);
    process.exit(1);
  });
}
