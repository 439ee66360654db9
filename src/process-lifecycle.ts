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
    }, config.shutdownGraceMs + 10_000);
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

/** The entry point's last word: an error that escaped start-up is printed and the process exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
