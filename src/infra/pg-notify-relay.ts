import { Client } from 'pg';
import type { Logger } from './logger';
import type { PubSub } from './pubsub';

export interface NotifyRelayOptions {
  databaseUrl: string;
  /** PostgreSQL channel → pub/sub topic that its notifications are republished on. */
  routes: Record<string, string>;
  pubsub: PubSub;
  /**
   * When the pub/sub is shared by every instance (Redis), only one relay may publish, or each event would
   * travel once per instance: relays then elect one with a PostgreSQL advisory lock held by the listening
   * connection, and the others wait as standbys, taking over within `retryMs` when it goes away.
   * Without a shared pub/sub (in process), every instance relays to itself: false.
   */
  exclusive: boolean;
  logger: Logger;
  /**
   * Topics whose messages carry no state of their own and have no reconciliation (invalidations: the catalogue's):
   * a publish that fails (Redis away) is sent again until it lands, the newest replacing a pending one
   * (`PubSub.publish`'s `redeliver`). Default none.
   */
  redeliverTopics?: readonly string[];
  /**
   * Called each time this relay starts listening (at start, after a lost connection, on taking over from another
   * relay): notifications sent while none listened are lost, and whoever cannot reconcile must assume a change.
   */
  onListening?: () => void;
  /** Pause between attempts to connect or to take the lock, in milliseconds. Default 1 000. */
  retryMs?: number;
}

export interface NotifyRelay {
  /** Whether this relay is the one listening and publishing now. */
  readonly active: boolean;
  stop(): Promise<void>;
}

/** Advisory lock key of the relay election: any constant shared by every instance of the deployment. */
const RELAY_LOCK_KEY = 7_204_511_901;

/**
 * Republishes PostgreSQL notifications on the pub/sub. `NOTIFY` is delivered only when its transaction
 * commits, and in commit order: a rolled-back change is never published, and one relay (one listening
 * connection, one publisher) keeps commit order, which per product is version order.
 *
 * Notifications sent while no relay listens (restart, failover, a dropped connection) are lost: the live
 * subscriptions recover them from the stock ledger by themselves (see `live-stock.hub.ts`); the others hear of it
 * through `onListening`.
 * Resolves once it listens, or once it knows it is a standby.
 */
export async function startNotifyRelay(options: NotifyRelayOptions): Promise<NotifyRelay> {
  const log = options.logger.child({ component: 'notify-relay' });
  const retryMs = options.retryMs ?? 1_000;
  let client: Client | null = null;
  let active = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let firstOutcome: (() => void) | null = null;
  const ready = new Promise<void>((resolve) => (firstOutcome = resolve));
  const settle = () => {
    firstOutcome?.();
    firstOutcome = null;
  };

  const scheduleRetry = () => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void attempt();
    }, retryMs);
    retryTimer.unref();
  };

  const drop = (reason: string, error?: unknown) => {
    if (active) log.warn({ err: error, reason }, 'notification relay lost its connection; reconnecting');
    active = false;
    const old = client;
    client = null;
    old?.removeAllListeners();
    old?.on('error', () => undefined);
    void old?.end().catch(() => undefined);
    scheduleRetry();
  };

  async function attempt(): Promise<void> {
    if (stopped) return;
    const connection =
      client ?? new Client({ connectionString: options.databaseUrl, keepAlive: true, application_name: 'atelier-notify-relay' });
    try {
      if (!client) {
        client = connection;
        connection.on('error', (error) => drop('connection error', error));
        connection.on('end', () => drop('connection ended'));
        await connection.connect();
      }
      if (options.exclusive) {
        const { rows } = await connection.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [RELAY_LOCK_KEY]);
        if (!rows[0]?.locked) {
          settle();
          scheduleRetry();
          return;
        }
      }
      connection.on('notification', (message) => {
        const topic = options.routes[message.channel];
        if (!topic || !message.payload) return;
        let payload: unknown;
        try {
          payload = JSON.parse(message.payload);
        } catch (error) {
          log.error({ err: error, channel: message.channel }, 'dropped a notification that is not JSON');
          return;
        }
        const redeliver = options.redeliverTopics?.includes(topic) ? 'relay' : undefined;
        options.pubsub.publish(topic, payload, { redeliver }).catch((error: unknown) => log.error({ err: error, topic }, 'could not publish a notification'));
      });
      for (const channel of Object.keys(options.routes)) await connection.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      if (stopped) return;
      active = true;
      log.info({ exclusive: options.exclusive }, 'notification relay listening');
      settle();
      options.onListening?.();
    } catch (error) {
      if (!stopped) log.warn({ err: error }, 'notification relay could not start; retrying');
      settle();
      if (client === connection) drop('start failed', error);
      else scheduleRetry();
    }
  }

  void attempt();
  await ready;
  return {
    get active() {
      return active;
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      active = false;
      const old = client;
      client = null;
      if (old) {
        old.removeAllListeners();
        old.on('error', () => undefined);
        await old.end().catch(() => undefined);
      }
    },
  };
}
