import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infra/logger';
import type { OrderExpiryService } from '../../../src/modules/orders/order-expiry.service';
import { expireOrderJob, expireOverdueOrdersJob } from '../../../src/modules/orders/order-job-names';
import { orderTasks } from '../../../src/modules/orders/order.jobs';
import type { ServiceScope } from '../../../src/modules/service-scope';

const ORDER_ID = '0192f0c4-0000-7000-8000-000000000001';
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

/**
 * The orders' jobs call the same service methods as the API, as the system: each run gets a scope of its own whose
 * actor is `order-jobs`, named by the job's id, with the worker's clock. No database is reached: the service is a
 * stand-in that records the scope it was called with (a scope's EntityManager is made on first use only).
 */
describe("the orders' jobs", () => {
  function tasksRecordingScopes() {
    const scopes: ServiceScope[] = [];
    const orderExpiryService: OrderExpiryService = {
      expire: async (scope) => (scopes.push(scope), 'NOTHING_TO_DO'),
      expireOverdue: async (scope) => (scopes.push(scope), 0),
    };
    const tasks = orderTasks({ orm: {} as never, clock, logger: createLogger('silent'), services: { orderExpiryService } });
    return { tasks, scopes };
  }

  it('should expire an order as the system actor order-jobs, in a scope named by the job', async () => {
    const { tasks, scopes } = tasksRecordingScopes();
    await tasks[expireOrderJob.name]!({ orderId: ORDER_ID }, { job: { id: '41' } } as never);
    expect(scopes).toHaveLength(1);
    expect(scopes[0]).toMatchObject({ actor: { kind: 'system', name: 'order-jobs' }, viewer: null, clientAddress: null, requestId: 'job:41' });
    expect(scopes[0]!.clock.now()).toEqual(clock.now());
  });

  it('should give each run of the sweep a scope of its own', async () => {
    const { tasks, scopes } = tasksRecordingScopes();
    await tasks[expireOverdueOrdersJob.name]!({}, { job: { id: '1' } } as never);
    await tasks[expireOverdueOrdersJob.name]!({}, { job: { id: '2' } } as never);
    expect(scopes.map((scope) => [scope.actor, scope.requestId])).toEqual([
      [{ kind: 'system', name: 'order-jobs' }, 'job:1'],
      [{ kind: 'system', name: 'order-jobs' }, 'job:2'],
    ]);
    expect(scopes[0]).not.toBe(scopes[1]);
  });
});
