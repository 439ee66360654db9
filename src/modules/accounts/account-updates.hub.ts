import type { MikroORM } from '@mikro-orm/postgresql';
import { createStateHub } from '../../infra/live-hub';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { ACCOUNT_TOPIC, parseAccountChangedEvent, readAccountEvents, type AccountChangedEvent } from './account-events';

export interface AccountUpdatesHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
}

/**
 * Account changes (role, status, deletion) of one instance, for `myAccount`, the re-check of subscriptions and the
 * closing of banned users' sockets: each state of a watched account once. The
 * periodic check reads the watched accounts back, so that a change whose notification was lost (Redis down during
 * a role change) still arrives.
 */
export function createAccountUpdatesHub(options: AccountUpdatesHubOptions) {
  return createStateHub<AccountChangedEvent>({
    ...options,
    name: 'account-updates',
    topic: ACCOUNT_TOPIC,
    parse: parseAccountChangedEvent,
    keyOf: (event) => event.userId,
    stateOf: (event) => `${event.role}/${event.status}${event.deleted ? '/deleted' : ''}`,
    readCurrent: (userIds) => readAccountEvents(options.orm.em.fork(), userIds),
  });
}
