import { createHash } from "node:crypto";
import { loadMailOrder } from "~/core/domain/notifications/order-data";
import { mailEventTypes, planMails, webLinks, type OutgoingMail } from "~/core/domain/notifications/mails";
import type { MailLinks } from "~/core/domain/notifications/templates";
import { createSmtpMailer, type Mailer } from "~/core/integrations/mail";
import { ConfigError } from "~/lib/env";
import type { ProcessorConfig } from "../config";
import type { Consumer, ConsumerContext } from "../messaging/consumer";

export interface MailConsumerOptions {
  mailer: Mailer;
  /** MAIL_FROM: "Name <address>" or an address. */
  from: string;
  links: MailLinks;
  /** Deliveries handled at once; each may hold a database connection while the server takes a mail. */
  concurrency: number;
  /** The mailer's own bound on one send; the ledger transaction is given a little more. */
  sendTimeoutMs: number;
}

/** The domain of the sender address, for Message-IDs. */
function senderDomain(from: string): string {
  return /@([^>\s]+)>?$/.exec(from)?.[1] ?? "lavka.invalid";
}

/**
 * Mail from events (src/core/domain/notifications/mails.ts says which events send what). Each
 * mail is sent inside its own transaction that first inserts SentMail(event, recipient, kind):
 * a mail already in the ledger is not sent again, a concurrent delivery of the same event waits
 * on that row and then finds it, and a send that fails rolls the row back, so the retry sends it.
 * One event's mails are independent: a retry after the second of three failed sends only the
 * second and third.
 */
export function createMailConsumer(options: MailConsumerOptions): Consumer {
  const domain = senderDomain(options.from);

  async function sendOnce(ctx: ConsumerContext, eventId: string, mail: OutgoingMail): Promise<boolean> {
    const recipient = mail.to.email.toLowerCase();
    // Fixed per (event, recipient, kind): should a mail ever go twice (the server took it but the
    // commit failed), mail clients see one message.
    const messageId = `<${eventId}.${mail.kind}.${createHash("sha256").update(recipient).digest("hex").slice(0, 16)}@${domain}>`;
    return ctx.db.$transaction(
      async (tx) => {
        const inserted = await tx.$executeRaw`
          INSERT INTO "SentMail" ("eventId", recipient, kind, "messageId", "sentAt")
          VALUES (${eventId}::uuid, ${recipient}, ${mail.kind}, ${messageId}, ${ctx.now()}) ON CONFLICT DO NOTHING`;
        if (inserted === 0) return false;
        await options.mailer.send({ from: options.from, to: { name: mail.to.name, address: mail.to.email }, messageId, ...mail.content });
        return true;
      },
      { timeout: options.sendTimeoutMs + 5_000, maxWait: 10_000 },
    );
  }

  return {
    name: "mail",
    events: mailEventTypes,
    prefetch: options.concurrency,
    async handle(event, ctx) {
      const order = await loadMailOrder(ctx.db, event.payload.orderId);
      if (!order) throw new Error(`Order ${event.payload.orderId} does not exist`);
      for (const mail of planMails(event, { order, links: options.links })) {
        const sent = await sendOnce(ctx, event.id, mail);
        ctx.logger.info({ orderId: order.id, kind: mail.kind, outcome: sent ? "sent" : "already sent" }, sent ? "mail sent" : "mail already sent");
      }
    },
  };
}

/** The SMTP mailer the configuration describes, or null when SMTP_HOST is unset (no mail). */
export function createConfiguredMailer(config: ProcessorConfig): Mailer | null {
  if (!config.SMTP_HOST) return null;
  if (!config.SMTP_USER !== !config.SMTP_PASSWORD) {
    throw new ConfigError(`Invalid configuration for processor worker:\n  ${config.SMTP_USER ? "SMTP_PASSWORD" : "SMTP_USER"}: required when ${config.SMTP_USER ? "SMTP_USER" : "SMTP_PASSWORD"} is set`);
  }
  return createSmtpMailer({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    tls: config.SMTP_TLS,
    user: config.SMTP_USER,
    password: config.SMTP_PASSWORD,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    maxConnections: config.MAIL_CONCURRENCY,
  });
}

export type MailConfig = Pick<ProcessorConfig, "MAIL_FROM" | "PUBLIC_WEB_URL" | "MAIL_CONCURRENCY" | "SMTP_TIMEOUT_MS">;

export function configuredMailConsumer(config: MailConfig, mailer: Mailer): Consumer {
  return createMailConsumer({
    mailer,
    from: config.MAIL_FROM,
    links: webLinks(config.PUBLIC_WEB_URL),
    concurrency: config.MAIL_CONCURRENCY,
    sendTimeoutMs: config.SMTP_TIMEOUT_MS,
  });
}
