import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contextForEvent, createContextFactory, releaseSubscribeState, type ContextFactory } from '../../../src/graphql/context';
import { createLogger } from '../../../src/infra/logger';
import { Role, UserStatus } from '../../../src/modules/accounts/user.entity';
import type { Viewer } from '../../../src/modules/accounts/viewer';
import { systemClock } from '../../../src/shared/clock';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** What an anonymous subscription's context needs: no token is read, so no token service, limiter or hub is reached. */
const unreached = undefined as never;

describe("a subscription event's context", () => {
  let server: TestServer;
  let createContext: ContextFactory;

  beforeAll(async () => {
    server = await startTestServer();
    createContext = createContextFactory({
      orm: server.database.orm,
      logger: createLogger('silent'),
      accessTokens: unreached,
      clock: systemClock,
      viewerCache: unreached,
    });
  });
  afterAll(() => server.close());

  it("should be a new object each event, with its own EntityManager fork and loaders, sharing the subscription's request id and operation record", async () => {
    const subscription = await createContext({ requestId: 'subscription-1' });
    const first = contextForEvent(subscription, null);
    const second = contextForEvent(subscription, null);
    expect(first).not.toBe(subscription);
    expect(second).not.toBe(first);
    expect(first.em).not.toBe(second.em);
    expect(first.em).not.toBe(subscription.em);
    expect(first.loaders).not.toBe(second.loaders);
    expect(first.loaders).toBe(first.loaders);
    expect(second.requestId).toBe('subscription-1');
    expect(second.operation).toBe(subscription.operation);
  });

  it("should let a subscription's context drop what its subscribe used, and make new ones only if used again", async () => {
    const subscription = await createContext({ requestId: 'subscription-3' });
    const subscribeEm = subscription.em;
    const subscribeLoaders = subscription.loaders;
    releaseSubscribeState(subscription);
    expect(subscription.em).not.toBe(subscribeEm);
    expect(subscription.loaders).not.toBe(subscribeLoaders);
    expect(subscription.requestId).toBe('subscription-3');
  });

  it('should carry the viewer as re-checked for the event, and leave the subscription context as it was', async () => {
    const subscription = await createContext({ requestId: 'subscription-2' });
    const demotedOperator: Viewer = { userId: 'u1', sessionId: 's1', role: Role.BUYER, status: UserStatus.ACTIVE, record: null };
    const event = contextForEvent(subscription, demotedOperator);
    expect(event.viewer).toEqual(demotedOperator);
    expect(event.actor).toEqual({ kind: 'viewer', viewer: demotedOperator });
    expect(subscription.viewer).toBeNull();
    expect(subscription.actor).toEqual({ kind: 'anonymous' });
  });
});
