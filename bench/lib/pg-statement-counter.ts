import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * Counts the statements that PostgreSQL receives, by sitting between a client and the server as a TCP proxy
 * and reading the frontend half of the wire protocol (https://www.postgresql.org/docs/current/protocol-message-formats.html).
 * No dependency, no change to the application: point its DATABASE_URL at the proxy ({@link StatementCounter.url}).
 *
 * What counts as a statement: a simple Query message ('Q') or a Parse message ('P'). node-postgres (under
 * knex and MikroORM) sends a Parse for every parameterized query and a Query for one without parameters, so
 * each is one round trip of the application to PostgreSQL. Two consequences worth knowing:
 * - a Query message holding several statements separated by `;` counts once;
 * - a named prepared statement is parsed once per connection, so only its first execution counts.
 *
 * The scanner ({@link FrontendScanner}) is pure logic over bytes, testable without a socket; the proxy
 * ({@link startStatementCounter}) is the thin I/O around it.
 */

/** The kind of a counted message: 'Q' (simple query) or 'P' (Parse, of the extended protocol). */
export type StatementKind = 'Q' | 'P';

/** Codes of the startup-phase requests that have no type byte: `int32 length = 8, int32 code`. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** A StartupMessage longer than this is not one: stop scanning and let PostgreSQL answer it. */
const MAX_STARTUP_LENGTH = 10_000;
/** "No SSL (nor GSSAPI encryption) here": the client then sends its StartupMessage in clear. */
const REFUSE_ENCRYPTION = Buffer.from('N');

type Phase = 'startup' | 'messages' | 'passthrough';

/** What to do with a chunk from the client: bytes owed to the server, and an answer owed to the client. */
export interface ScanResult {
  /** Bytes to forward to PostgreSQL, in order; empty while the startup phase holds them back. */
  forward: Buffer;
  /** Bytes to send back to the client without bothering PostgreSQL (the 'N' to an SSLRequest), or null. */
  reply: Buffer | null;
}

/**
 * Follows one client connection's byte stream. Messages may be split across chunks, or several may share
 * one: the scanner keeps just enough state (a 5-byte header, the body of a Query or Parse) to find their
 * boundaries, and skips every other body without copying it.
 */
export class FrontendScanner {
  private phase: Phase = 'startup';
  /** Startup phase: bytes held until a whole startup-phase message has arrived. */
  private startupBytes: Buffer = Buffer.alloc(0);
  /** Messages phase: the header (type byte + int32 length) being read, up to 5 bytes. */
  private header: Buffer = Buffer.alloc(5);
  private headerLength = 0;
  /** Body bytes of the current message still to come; 0 while reading a header. */
  private bodyRemaining = 0;
  /** Type of the current message when its body is kept ('Q' or 'P'), else null (the body is skipped). */
  private keptType: StatementKind | null = null;
  private keptBody: Buffer[] = [];

  /** @param onStatement called for each Query or Parse message, with its SQL text, once its body is complete. */
  constructor(private readonly onStatement: (sql: string, kind: StatementKind) => void) {}

  push(chunk: Buffer): ScanResult {
    if (this.phase === 'passthrough') return { forward: chunk, reply: null };
    if (this.phase === 'messages') {
      this.scanMessages(chunk);
      return { forward: chunk, reply: null };
    }
    return this.scanStartup(chunk);
  }

  private scanStartup(chunk: Buffer): ScanResult {
    let pending = this.startupBytes.length ? Buffer.concat([this.startupBytes, chunk]) : chunk;
    const replies: Buffer[] = [];
    // The client may ask for SSL, then GSSAPI, before its StartupMessage; each gets its own 'N'.
    while (pending.length >= 8) {
      const length = pending.readInt32BE(0);
      const code = pending.readInt32BE(4);
      if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
        replies.push(REFUSE_ENCRYPTION);
        pending = pending.subarray(8);
        continue;
      }
      if (length < 8 || length > MAX_STARTUP_LENGTH || code === CANCEL_REQUEST) {
        // A CancelRequest (its own short connection), or bytes we do not understand: PostgreSQL judges them.
        this.phase = 'passthrough';
        this.startupBytes = Buffer.alloc(0);
        return { forward: pending, reply: concatOrNull(replies) };
      }
      if (pending.length < length) break;
      // The StartupMessage: forward it and everything after it, which is made of typed messages.
      this.phase = 'messages';
      this.startupBytes = Buffer.alloc(0);
      this.scanMessages(pending.subarray(length));
      return { forward: pending, reply: concatOrNull(replies) };
    }
    this.startupBytes = Buffer.from(pending);
    return { forward: Buffer.alloc(0), reply: concatOrNull(replies) };
  }

  private scanMessages(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyRemaining === 0) {
        const take = Math.min(5 - this.headerLength, chunk.length - offset);
        chunk.copy(this.header, this.headerLength, offset, offset + take);
        this.headerLength += take;
        offset += take;
        if (this.headerLength < 5) return;
        this.headerLength = 0;
        const type = String.fromCharCode(this.header[0]!);
        // The length counts itself (4 bytes) but not the type byte.
        this.bodyRemaining = this.header.readInt32BE(1) - 4;
        this.keptType = type === 'Q' || type === 'P' ? type : null;
        this.keptBody = [];
        if (this.bodyRemaining <= 0) {
          this.bodyRemaining = 0;
          this.finishMessage();
        }
        continue;
      }
      const take = Math.min(this.bodyRemaining, chunk.length - offset);
      if (this.keptType) this.keptBody.push(chunk.subarray(offset, offset + take));
      this.bodyRemaining -= take;
      offset += take;
      if (this.bodyRemaining === 0) this.finishMessage();
    }
  }

  private finishMessage(): void {
    const type = this.keptType;
    if (!type) return;
    const body = Buffer.concat(this.keptBody);
    this.keptType = null;
    this.keptBody = [];
    // Query: `query\0`. Parse: `statement name\0 query\0 int16 count, int32 parameter type oids…`.
    const start = type === 'Q' ? 0 : body.indexOf(0) + 1;
    const end = body.indexOf(0, start);
    this.onStatement(body.toString('utf8', start, end < 0 ? body.length : end), type);
  }
}

function concatOrNull(buffers: Buffer[]): Buffer | null {
  return buffers.length ? Buffer.concat(buffers) : null;
}

export interface StatementCounterOptions {
  /**
   * How many statement texts {@link StatementCounter.statements} keeps between two resets; the count goes on
   * beyond it. Default 10 000, so that a long benchmark does not hoard memory.
   */
  keepStatements?: number;
}

/** A running statement-counting proxy in front of one PostgreSQL server. */
export interface StatementCounter {
  /** Port of the proxy on 127.0.0.1. */
  readonly port: number;
  /** The given DATABASE_URL with its host and port rewritten to the proxy: hand it to the application. */
  readonly url: string;
  /** Query and Parse messages received since the start or the last {@link reset}. */
  readonly count: number;
  /** Their SQL texts, in the order they arrived (the first `keepStatements` of them), for debugging. */
  readonly statements: readonly string[];
  /** Sets the count to zero and forgets the texts. */
  reset(): void;
  /** Stops listening and cuts every proxied connection. */
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free port of 127.0.0.1, forwarding to the host and port of `databaseUrl`.
 * Connections to PostgreSQL are opened one for one with the client's; nothing is pooled or rewritten.
 */
export async function startStatementCounter(databaseUrl: string, options: StatementCounterOptions = {}): Promise<StatementCounter> {
  const target = new URL(databaseUrl);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const targetPort = Number(target.port || 5432);
  const keep = options.keepStatements ?? 10_000;
  let count = 0;
  let statements: string[] = [];
  const sockets = new Set<Socket>();

  const record = (sql: string) => {
    count += 1;
    if (statements.length < keep) statements.push(sql);
  };

  const server: Server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort, noDelay: true });
    // Without this, Nagle's algorithm holds back the small messages of the protocol for up to 40 ms
    // (against the peer's delayed ACK): the proxy, not the application, would then be what we measure.
    client.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    const scanner = new FrontendScanner(record);
    const destroyBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const { forward, reply } = scanner.push(chunk);
      if (reply) client.write(reply);
      // Back-pressure: a slow PostgreSQL pauses the client rather than filling our memory.
      if (forward.length && !upstream.write(forward)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    // A client that hangs up has sent its Terminate: let it reach PostgreSQL (end, not destroy).
    client.on('close', () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    url: proxiedUrl(databaseUrl, port),
    get count() {
      return count;
    },
    get statements() {
      return statements;
    },
    reset() {
      count = 0;
      statements = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}

/** `databaseUrl` with its host and port replaced by 127.0.0.1 and `port`; user, password, database and options kept. */
export function proxiedUrl(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}
