import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { contextForEvent, createContextFactory, releaseSubscribeState, type ContextFactory } from '../../../src/graphql/context';
import { createLogger } from '../../../src/infra/logger';
import { Role, UserStatus } from '../../../src/modules/accounts/user.entity';
import type { Viewer } from '../../../src/modules/accounts/viewer';
import { systemClock } from '../../../src/shared/clock';
import { createUser } from '../../utils/buyers';
import { postGraphql } from '../../utils/clients';
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

/**
 * Apollo Server copies each operation's context (`Object.assign` onto an object of the same prototype), which reads
 * every own getter: the context's lazy parts must not be own getters, or every request makes them all.
 */
describe("an HTTP request's context, as Apollo Server copies it", () => {
  let server: TestServer;
  const logger = createLogger('silent');

  beforeAll(async () => {
    server = await startTestServer({}, undefined, { logger });
  });
  afterAll(() => server.close());

  /** The EntityManager forks and child loggers that one request made. */
  async function madeBy(request: () => Promise<unknown>): Promise<{ forks: number; childLoggers: number }> {
    const fork = jest.spyOn(server.database.orm.em, 'fork');
    const child = jest.spyOn(logger, 'child');
    try {
      await request();
      return { forks: fork.mock.calls.length, childLoggers: child.mock.calls.length };
    } finally {
      fork.mockRestore();
      child.mockRestore();
    }
  }

  it('should make no EntityManager fork, loaders or logger for an operation that uses none', async () => {
    const answer = await madeBy(async () => {
      const { body } = await postGraphql(server.graphqlUrl, { query: '{ __typename }' });
      expect(body.data).toEqual({ __typename: 'Query' });
    });
    expect(answer).toEqual({ forks: 0, childLoggers: 0 });
  });

  it('should make one fork for an operation that reads the database, shared by everything the operation runs', async () => {
    const buyer = await createUser(server);
    // The viewer's re-check reads the database on the first request only (then its cache answers).
    await postGraphql(server.graphqlUrl, { query: '{ me { id } }' }, { authorization: `Bearer ${buyer.token}` });
    const answer = await madeBy(async () => {
      const { body } = await postGraphql(server.graphqlUrl, { query: '{ products(first: 2) { totalCount edges { node { id shop { id } category { id } } } } }' }, { authorization: `Bearer ${buyer.token}` });
      expect(body.errors).toBeUndefined();
    });
    expect(answer).toEqual({ forks: 1, childLoggers: 0 });
  });
});
