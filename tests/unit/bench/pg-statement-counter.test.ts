import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { Client } from 'pg';
import { FrontendScanner, proxiedUrl, startStatementCounter, type StatementCounter, type StatementKind } from '../../../bench/lib/pg-statement-counter';
import { createTestDatabase, type TestDatabase } from '../../utils/database';

/** A typed frontend message: type byte, int32 length (counting itself), body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstring('user'), cstring(user), cstring('database'), cstring(database), Buffer.from([0])]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([length, body]);
}

function sslRequest(): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeInt32BE(8, 0);
  bytes.writeInt32BE(80877103, 4);
  return bytes;
}

describe('FrontendScanner', () => {
  /** A session as node-postgres writes it: startup, password, a simple query, then an extended-protocol query. */
  const session = Buffer.concat([
    startupMessage('postgres', 'atelier'),
    message('p', cstring('secret')),
    message('Q', cstring('select 1')),
    message('P', Buffer.concat([cstring(''), cstring('select $1::int'), Buffer.from([0, 0])])),
    message('B', Buffer.concat([cstring(''), cstring(''), Buffer.alloc(6)])),
    message('E', Buffer.concat([cstring(''), Buffer.alloc(4)])),
    message('S', Buffer.alloc(0)),
    message('P', Buffer.concat([cstring('named'), cstring('select ünïcode'), Buffer.from([0, 0])])),
    message('X', Buffer.alloc(0)),
  ]);
  const expected: Array<[string, StatementKind]> = [
    ['select 1', 'Q'],
    ['select $1::int', 'P'],
    ['select ünïcode', 'P'],
  ];

  function scan(chunks: Buffer[]) {
    const seen: Array<[string, StatementKind]> = [];
    const scanner = new FrontendScanner((sql, kind) => seen.push([sql, kind]));
    const results = chunks.map((chunk) => scanner.push(chunk));
    return {
      seen,
      forwarded: Buffer.concat(results.map((result) => result.forward)),
      replies: Buffer.concat(results.flatMap((result) => (result.reply ? [result.reply] : []))),
    };
  }

  it('should find the Query and Parse messages of a session sent in one chunk, and forward it unchanged', () => {
    const { seen, forwarded, replies } = scan([session]);
    expect(seen).toEqual(expected);
    expect(forwarded.equals(session)).toBe(true);
    expect(replies.length).toBe(0);
  });

  it('should find the same messages when the session arrives one byte at a time', () => {
    const bytes = [...session].map((byte) => Buffer.from([byte]));
    const { seen, forwarded } = scan(bytes);
    expect(seen).toEqual(expected);
    expect(forwarded.equals(session)).toBe(true);
  });

  it("should answer an SSLRequest with 'N' itself and forward only what follows it", () => {
    const { seen, forwarded, replies } = scan([sslRequest(), session]);
    expect(replies.toString()).toBe('N');
    expect(forwarded.equals(session)).toBe(true);
    expect(seen).toEqual(expected);
  });

  it('should pass a CancelRequest through without looking for messages in it', () => {
    const cancel = Buffer.alloc(16);
    cancel.writeInt32BE(16, 0);
    cancel.writeInt32BE(80877102, 4);
    cancel.write('QQQQQQQQ', 8, 'latin1');
    const { seen, forwarded } = scan([cancel]);
    expect(seen).toEqual([]);
    expect(forwarded.equals(cancel)).toBe(true);
  });
});

describe('the statement counter in front of a real PostgreSQL', () => {
  let database: TestDatabase;
  let counter: StatementCounter;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  beforeEach(async () => {
    counter = await startStatementCounter(database.url);
    client = new Client({ connectionString: counter.url });
    await client.connect();
  });
  afterEach(async () => {
    await client.end().catch(() => undefined);
    await counter.close();
  });

  it('should count nothing for the connection itself (startup and authentication)', () => {
    expect(counter.count).toBe(0);
    expect(counter.statements).toEqual([]);
  });

  it('should count a query without parameters as one simple Query, with its text', async () => {
    const { rows } = await client.query('select 41 + 1 as answer');
    expect(rows).toEqual([{ answer: 42 }]);
    expect(counter.count).toBe(1);
    expect(counter.statements).toEqual(['select 41 + 1 as answer']);
  });

  it('should count every parameterized query, since node-postgres sends a Parse for each', async () => {
    await client.query('select $1::int as n', [1]);
    await client.query('select $1::int as n', [2]);
    await client.query('select $1::text as t', ['x']);
    expect(counter.count).toBe(3);
    expect(counter.statements).toEqual(['select $1::int as n', 'select $1::int as n', 'select $1::text as t']);
  });

  it('should count a named prepared statement once per connection, as PostgreSQL parses it once', async () => {
    for (const value of [1, 2, 3]) await client.query({ name: 'double', text: 'select $1::int * 2 as d', values: [value] });
    expect(counter.count).toBe(1);
  });

  it('should count a Query message holding two statements once', async () => {
    await client.query('select 1; select 2');
    expect(counter.count).toBe(1);
  });

  it('should keep counting correctly after messages far larger than a TCP chunk', async () => {
    const big = 'x'.repeat(2_000_000);
    const { rows } = await client.query('select length($1::text) as n', [big]);
    expect(rows).toEqual([{ n: 2_000_000 }]);
    const literal = 'y'.repeat(300_000);
    await client.query(`select length('${literal}') as n`);
    await client.query('select 1');
    expect(counter.count).toBe(3);
    expect(counter.statements[1]).toBe(`select length('${literal}') as n`);
    expect(counter.statements[2]).toBe('select 1');
  });

  it('should start again from zero on reset', async () => {
    await client.query('select 1');
    counter.reset();
    expect(counter.count).toBe(0);
    expect(counter.statements).toEqual([]);
    await client.query('select 2');
    expect(counter.statements).toEqual(['select 2']);
  });

  it("should answer an SSLRequest with 'N', then carry the startup on to PostgreSQL", async () => {
    const socket = connect({ host: '127.0.0.1', port: counter.port });
    try {
      const replies: Buffer[] = [];
      const received = (bytes: number) =>
        new Promise<Buffer>((resolve, reject) => {
          const check = () => {
            const all = Buffer.concat(replies);
            if (all.length >= bytes) resolve(all);
          };
          socket.on('data', (chunk: Buffer) => {
            replies.push(chunk);
            check();
          });
          socket.once('error', reject);
        });
      const answer = received(1);
      socket.write(sslRequest());
      expect((await answer).subarray(0, 1).toString()).toBe('N');
      socket.removeAllListeners('data');
      replies.length = 0;
      const authentication = received(1);
      socket.write(startupMessage('postgres', database.name));
      // PostgreSQL itself answers the startup: 'R' (an authentication request) proves the bytes reached it intact.
      expect((await authentication).subarray(0, 1).toString()).toBe('R');
      expect(counter.count).toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it('should cut the proxied connections on close', async () => {
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    client.on('error', () => undefined);
    await counter.close();
    await ended;
    await expect(client.query('select 1')).rejects.toThrow();
  });
});

describe('proxiedUrl', () => {
  it('should rewrite only the host and port of a DATABASE_URL', () => {
    expect(proxiedUrl('postgres://user:p%40ss@db.example:5432/atelier?application_name=api', 6543)).toBe(
      'postgres://user:p%40ss@127.0.0.1:6543/atelier?application_name=api',
    );
  });
});
