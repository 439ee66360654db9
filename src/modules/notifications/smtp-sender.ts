import { createTransport } from 'nodemailer';

/** One plain-text message, as the SMTP server receives it. */
export interface SmtpMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The Message-ID header, `<…@…>`: nodemailer would otherwise make a random one per attempt. */
  messageId: string;
}

/** Hands a message to the SMTP server; resolves once the server accepted it (250), throws otherwise. */
export type SendSmtp = (message: SmtpMessage) => Promise<void>;

/**
 * Time limits of one delivery, in milliseconds. nodemailer's own (2 minutes to connect, 10 of silence) would
 * hold a job, and the row lock it keeps while sending, for that long when the server hangs.
 */
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

/**
 * nodemailer over `smtpUrl` (`smtp://` or `smtps://`, credentials in the URL). A connection per message, no
 * pool: emails come one job at a time, and nothing stays open to be closed at shutdown.
 */
export function createSmtpSender(smtpUrl: string): SendSmtp {
  const transporter = createTransport({ url: smtpUrl, ...TIMEOUTS });
  return async (message) => {
    await transporter.sendMail({
      from: message.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      messageId: message.messageId,
    });
  };
}
