import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../src/shared/sql';

/** A place in the database where one of the searched strings was found. */
export interface Trace {
  table: string;
  column: string;
  needle: string;
}

/**
 * Every text-like column (text, varchar, char, json, jsonb) of every table of our schema and of the job queue's,
 * searched for each needle (case-insensitive): what deletion must leave nowhere.
 */
export async function findTraces(em: EntityManager, needles: string[]): Promise<Trace[]> {
  const columns = await runSql<{ table_schema: string; table_name: string; column_name: string }>(
    em,
    `select c.table_schema, c.table_name, c.column_name
       from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where c.table_schema in ('public', 'graphile_worker') and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
  );
  const traces: Trace[] = [];
  for (const column of columns) {
    for (const needle of needles) {
      const [row] = await runSql<{ found: boolean }>(
        em,
        `select exists (select 1 from "${column.table_schema}"."${column.table_name}" where "${column.column_name}"::text ilike ?) as found`,
        [`%${needle}%`],
      );
      if (row?.found) traces.push({ table: `${column.table_schema}.${column.table_name}`, column: column.column_name, needle });
    }
  }
  return traces;
}
