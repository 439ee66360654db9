import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { catalogChanged, createCatalogVersion } from '../../../src/modules/catalog/catalog-version';
import { runSql } from '../../../src/shared/sql';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe("catalogChanged, the writer's read-your-writes bump", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
  });
  afterAll(() => server?.close());

  it('should bump the version at once when the EntityManager is in no transaction (the write has committed)', () => {
    const version = createCatalogVersion();
    catalogChanged(server.database.orm.em.fork(), version);
    expect(version.value).toBe(1);
  });

  it('should bump the version only once the outermost transaction commits, not when a savepoint is released', async () => {
    const version = createCatalogVersion();
    await server.database.orm.em.fork().transactional(async (em) => {
      await runSql(em, 'select 1');
      catalogChanged(em, version);
      await em.transactional(async (inner) => {
        catalogChanged(inner, version);
      });
      // Still uncommitted: a read now would cache the old rows under a new version.
      expect(version.value).toBe(0);
    });
    expect(version.value).toBe(2);
  });
});
