import type { Config } from './config/config';
import type { Database } from './infra/db/database';
import type { Logger } from './infra/logger';
import type { Metrics } from './infra/metrics';
import { startNotifyRelay, type NotifyRelayOptions } from './infra/pg-notify-relay';
import type { PubSub } from './infra/pubsub';
import { createModuleHubs, moduleRelayRoutes, type ModuleHubs, type ModuleLiveDeps } from './modules';
import { CATALOG_NOTIFY_CHANNEL, CATALOG_TOPIC } from './modules/catalog/catalog-version';
import type { StartableHub } from './shared/module-manifest';

/**
 * The live side of one API instance: every module's hubs by name (`stock`, `orders`, `shopOrders`, `accounts`…),
 * what its subscriptions draw from.
 */
export type LiveEvents = ModuleHubs & {
  stop(): Promise<void>;
};

/**
 * Committed changes travel: transaction → `NOTIFY` (only on commit) → the notification relay → pub/sub
 * (Redis between instances when REDIS_URL is set, else in process) → each instance's hubs → subscribers.
 * With Redis, one relay in the whole deployment publishes (elected by advisory lock), which keeps commit
 * order and sends each event once; without it, every instance relays to itself. The hubs and the relay's routes
 * are the modules' (their manifests' `live`).
 */
export async function startLiveEvents(deps: { config: Config; database: Database; pubsub: PubSub; logger: Logger; metrics?: Metrics }): Promise<LiveEvents> {
  const { config, database, pubsub, logger, metrics } = deps;
  const hubDeps: ModuleLiveDeps = { orm: database.orm, pubsub, logger, reconcileMs: config.live.reconcileMs, metrics };
  const hubs = createModuleHubs(hubDeps);
  const started = Object.values<StartableHub>(hubs);
  for (const hub of started) await hub.start();
  const relay = await startNotifyRelay({
    databaseUrl: database.url,
    routes: { ...moduleRelayRoutes(), [CATALOG_NOTIFY_CHANNEL]: CATALOG_TOPIC },
    ...catalogRelayOptions(pubsub, logger),
    pubsub,
    exclusive: Boolean(config.redisUrl),
    logger,
  });
  return {
    ...hubs,
    async stop() {
      await relay.stop();
      await Promise.all(started.map((hub) => hub.stop()));
    },
  };
}

/**
 * The catalogue's invalidations ride on the relay too (see `followCatalogChanges`). They have no reconciliation of
 * their own: a publish that failed is sent again until it lands, and a relay that starts listening (after a gap in
 * which notifications were lost) announces a change, so that every instance drops its cached answers.
 */
function catalogRelayOptions(pubsub: PubSub, logger: Logger): Pick<NotifyRelayOptions, 'redeliverTopics' | 'onListening'> {
  const announce = () =>
    void pubsub.publish(CATALOG_TOPIC, {}, { redeliver: 'relay' }).catch((error: unknown) => logger.warn({ err: error }, 'could not announce a catalogue change: sent again until it lands'));
  return { redeliverTopics: [CATALOG_TOPIC], onListening: announce };
}
