import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { STOCK_TOPIC } from '../inventory/stock-events';

/** Pub/sub topics of the catalogue. Payloads carry no data: receivers only learn that something changed. */
export enum CatalogTopic {
  /** Something the public catalogue shows was committed: every instance drops its cached catalogue answers. */
  CATALOG_CHANGED = 'catalog-changed',
}

export interface CatalogTopicPayloads {
  /** `origin` is the publishing instance, which has already bumped its own version and skips its echo. */
  [CatalogTopic.CATALOG_CHANGED]: { origin: string };
}

const catalogChangedSchema: z.ZodType<CatalogTopicPayloads[CatalogTopic.CATALOG_CHANGED]> = z.object({ origin: z.string() });

/**
 * The version of the public catalogue as this instance knows it: a counter that grows by one at every change,
 * made here or heard from another instance. Cached catalogue answers remember the version read when their request
 * started and are served only while it is still the current one (see `publicResponseCachePlugin`).
 */
export interface CatalogVersion {
  readonly value: number;
  /** This instance's id in `catalog-changed` messages. */
  readonly origin: string;
  /** Increments `value` at once, synchronously. Writers call {@link catalogChanged}, which also tells the others. */
  bump(): void;
}

export function createCatalogVersion(): CatalogVersion {
  let value = 0;
  return {
    get value() {
      return value;
    },
    origin: randomUUID(),
    bump() {
      value += 1;
    },
  };
}

/**
 * Bumps `version` on every `catalog-changed` message of another instance, until the returned function is called.
 * Delivery is at most once: a message published while this instance's subscription was cut off is lost, which is
 * why the app also bumps the version when the pub/sub reconnects (`PubSub.onReconnect`).
 */
export function followCatalogChanges(pubsub: PubSub, version: CatalogVersion): Promise<() => Promise<void>> {
  return pubsub.subscribe(CatalogTopic.CATALOG_CHANGED, (payload) => {
    // A malformed message bumps too, as it always has: dropping cached answers is the safe side of a doubt.
    if (catalogChangedSchema.safeParse(payload).data?.origin !== version.origin) version.bump();
  });
}

/** What {@link catalogChanged} needs: a `RequestContext` has it; a job or a webhook handler can assemble it. */
export interface CatalogChangeScope {
  catalogVersion: CatalogVersion;
  pubsub: PubSub;
  logger: Logger;
}

/**
 * Announces that what the public catalogue shows has changed. **Every write that changes a product, a shop, a
 * category or a stock level (`Product.available`) must call it, once, after its transaction has committed**;
 * otherwise anonymous storefronts keep reading the old answer until the cache's TTL runs out.
 *
 * This instance's version is bumped synchronously, before the first `await`: a client that writes then reads
 * through this instance sees its write. Then the other instances are told through pub/sub; await the returned
 * promise before answering, so that a read sent to another instance right after the write also misses (bar the
 * delivery delay of Redis, well under a millisecond). It never throws and waits at most REDIS_COMMAND_TIMEOUT_MS:
 * a failed publish is logged and sent again until it lands, and instances cut off from Redis meanwhile drop their
 * cached answers when they get it back.
 *
 * Called before commit, it would let a concurrent read cache the old rows under the new version.
 */
export async function catalogChanged(scope: CatalogChangeScope): Promise<void> {
  scope.catalogVersion.bump();
  try {
    const payload: CatalogTopicPayloads[CatalogTopic.CATALOG_CHANGED] = { origin: scope.catalogVersion.origin };
    // Sent again until it lands: an instance that kept its Redis connection has no other way to learn of it.
    await scope.pubsub.publish(CatalogTopic.CATALOG_CHANGED, payload, { redeliver: scope.catalogVersion.origin });
  } catch (error) {
    scope.logger.error({ err: error }, 'could not publish a catalogue change now: retried until it lands');
  }
}

/**
 * Bumps `version` on every committed stock change, wherever it was made: checkouts and cancellations on any
 * instance, reservations released by a worker process, stock adjustments. Stock events come from PostgreSQL's
 * NOTIFY (sent only on commit) through the notification relay, so a rolled-back change never bumps it. The
 * instance that made the change has already bumped its own version before answering; this is for the others.
 */
export function followStockChanges(pubsub: PubSub, version: CatalogVersion): Promise<() => Promise<void>> {
  return pubsub.subscribe(STOCK_TOPIC, () => version.bump());
}
