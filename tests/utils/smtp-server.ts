import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it. */
export interface ReceivedMessage {
  /** The Message-ID header. */
  messageId: string;
  /** The envelope's recipients. */
  to: string[];
  /** The message as it came, headers and body. */
  raw: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Messages answered 250. */
  accepted: ReceivedMessage[];
  /** Messages answered 451 while `failing`. */
  refused: ReceivedMessage[];
  /** While true, every message is received whole, then refused with 451 (try again later). */
  failing: boolean;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free port of 127.0.0.1 that keeps what it receives. No
 * authentication, and no STARTTLS: nodemailer would otherwise upgrade to a self-signed certificate and refuse it.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state: TestSmtpServer = { url: '', accepted: [], refused: [], failing: false, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const message = {
          messageId: /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
        };
        if (state.failing) {
          state.refused.push(message);
          callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        } else {
          state.accepted.push(message);
          callback(null);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
