import nodemailer from "nodemailer";

/** A mail ready to go: both parts, and a Message-ID fixed by the caller (the same on a resend). */
export interface MailMessage {
  from: string;
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  host: string;
  port: number;
  /** starttls: upgrade required; tls: TLS from the first byte; none: plain (local catchers). */
  tls: "starttls" | "tls" | "none";
  user?: string;
  password?: string;
  /** Bounds connecting, the greeting, each reply, and the whole send. */
  timeoutMs: number;
  /** SMTP connections kept open and used at once. */
  maxConnections: number;
}

/**
 * The mail server did not take a mail: down, too slow, refused our login or the message. The
 * mail consumer lets it fail the delivery, which is retried with backoff and dead-lettered
 * after EVENT_MAX_ATTEMPTS (replayable from the operations page).
 */
export class MailDeliveryError extends Error {
  override readonly name = "MailDeliveryError";
  /** The server's reply code when it answered (4xx: try later, 5xx: refused). */
  readonly responseCode: number | undefined;
  constructor(message: string, options: { responseCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.responseCode = options.responseCode;
  }
}

/** Sends through one SMTP server with nodemailer, over a small pool of connections. */
export function createSmtpMailer(options: SmtpOptions): Mailer {
  const where = `${options.host}:${options.port}`;
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.tls === "tls",
    requireTLS: options.tls === "starttls",
    ignoreTLS: options.tls === "none",
    ...(options.user ? { auth: { user: options.user, pass: options.password ?? "" } } : {}),
    pool: true,
    maxConnections: options.maxConnections,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    logger: false,
  });
  return {
    async send(message) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MailDeliveryError(`mail server ${where} did not take the mail within ${options.timeoutMs} ms`)), options.timeoutMs);
      });
      try {
        await Promise.race([
          transport.sendMail({
            from: message.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
            messageId: message.messageId,
            // Transactional mail: out-of-office replies and the like should not answer it (RFC 3834).
            headers: { "Auto-Submitted": "auto-generated" },
          }),
          deadline,
        ]);
      } catch (err) {
        if (err instanceof MailDeliveryError) throw err;
        const e = err as { message?: string; responseCode?: number };
        throw new MailDeliveryError(`mail server ${where}: ${e.message ?? String(err)}`, { responseCode: e.responseCode, cause: err });
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      transport.close();
    },
  };
}
