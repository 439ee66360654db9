import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { PubSub } from '../../infra/pubsub';
import type { RedisLink } from '../../infra/redis';

/**
 * The PostgreSQL channel of catalogue changes. A statement trigger on `product`, `shop` and `category` (migration
 * catalog_changed) notifies it in the transaction of every write to them — products, shops, categories and stock
 * alike, from the API, the worker or a script — so no writer can forget it, and PostgreSQL delivers it only on
 * commit, once per transaction (identical notifications of one transaction are folded into one).
 */
export const CATALOG_NOTIFY_CHANNEL = 'atelier_catalog_changed';

/** The pub/sub topic that the notification relay republishes those notifications on. Payloads carry no data. */
export const CATALOG_TOPIC = 'catalog-changed';

/**
 * The version of the public catalogue as this instance knows it: a counter that grows at every change it hears of.
 * Cached catalogue answers remember the version read when their request started and are served only while it is
 * still the current one (see `publicResponseCachePlugin`).
 */
export interface CatalogVersion {
  readonly value: number;
  /** Increments `value` at once, synchronously. Only {@link followCatalogChanges} and {@link catalogChanged} call it. */
  bump(): void;
}

export function createCatalogVersion(): CatalogVersion {
  let value = 0;
  return {
    get value() {
      return value;
    },
    bump() {
      value += 1;
    },
  };
}

/**
 * The one way cached catalogue answers are dropped on every instance, the writer's included: `version` is bumped on
 * every relayed catalogue notification (see {@link CATALOG_NOTIFY_CHANNEL}), and whenever one may have been lost:
 * when the pub/sub's subscribing connection is back after an outage (`PubSub.onReconnect`), and when Redis answers
 * again after a freeze that cost no reconnection (`RedisLink.onRecovered`, when there is a `redis`). Resolves once
 * subscribed; the returned function stops the subscription.
 */
export function followCatalogChanges(version: CatalogVersion, sources: { pubsub: PubSub; redis: RedisLink | null }): Promise<() => Promise<void>> {
  sources.pubsub.onReconnect(() => version.bump());
  sources.redis?.onRecovered(() => version.bump());
  return sources.pubsub.subscribe(CATALOG_TOPIC, () => version.bump());
}

/**
 * Read-your-writes for a write to the public catalogue (a product, a shop, stock): call it with the EntityManager
 * that wrote, inside its transaction or right after the write committed, before answering. It bumps this
 * instance's `version` as soon as the write is committed — at once when `em` is in no transaction (the write has
 * committed), else when the outermost transaction ends — so that the writer's very next read on this instance misses
 * the cache, before the write's notification comes back through the relay (which bumps every instance,
 * {@link followCatalogChanges}). It announces nothing itself: the write's own trigger does, in its transaction.
 *
 * Never bumped before the commit: a concurrent read would then cache the old rows under the new version. A
 * transaction that rolls back bumps it too (knex resolves both alike), which only costs a few cache misses.
 */
export function catalogChanged(em: EntityManager, version: CatalogVersion): void {
  let transaction = em.getTransactionContext<Knex.Transaction>();
  if (!transaction) {
    version.bump();
    return;
  }
  // A savepoint's end is not the commit: wait for the transaction that holds it.
  while (transaction.parentTransaction) transaction = transaction.parentTransaction;
  transaction.executionPromise.then(
    () => version.bump(),
    () => version.bump(),
  );
}
