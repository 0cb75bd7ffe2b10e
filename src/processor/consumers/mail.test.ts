// The mail consumer one delivery at a time through dispatch(), as a transport would hand it
// events, sending over real SMTP to MailDev and reading what it caught: who gets which mail, and
// that each mail goes once per (event, recipient, kind) however often the event comes.
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendEvent, toEnvelope } from "~/core/events/outbox";
import { markShipped } from "~/core/domain/orders/seller";
import { createSmtpMailer, type Mailer } from "~/core/integrations/mail";
import { webLinks } from "~/core/domain/notifications/mails";
import { dispatch, type Consumer } from "~/processor/messaging/consumer";
import { createPipelineMetrics } from "~/processor/messaging/metrics";
import { createTestDatabase, type Db, type TestDatabase } from "../../../tests/helpers/db";
import { createProduct, createSellerUser, createUser } from "../../../tests/helpers/fixtures";
import { startTestMailServer, type TestMailServer } from "../../../tests/helpers/mail";
import { placeOrders, startReferenceServices, testLogger, type ReferenceServices, type World } from "../../../tests/helpers/pipeline";
import { pipelineConfig } from "../../../tests/helpers/pipeline";
import { createConfiguredMailer, createMailConsumer } from "./mail";
import { createPaymentsConsumer } from "./payments";

let testDb: TestDatabase;
let db: Db;
let world: World;
let services: ReferenceServices;
let smtp: TestMailServer;
let mailer: Mailer;
const logger = testLogger();

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  services = await startReferenceServices(testDb.url);
  smtp = await startTestMailServer();
  mailer = createSmtpMailer({ host: "127.0.0.1", port: smtp.smtpPort, tls: "none", timeoutMs: 10_000, maxConnections: 2 });
});
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await services?.close();
  await testDb?.drop();
});

/** A fresh buyer (Russian locale) and seller for each test, so mailboxes start empty. */
let buyer: { id: string; email: string };
let seller: { email: string; shopName: string };
beforeEach(async () => {
  const b = await createUser(db, "buyer");
  await db.user.update({ where: { id: b.id }, data: { locale: "ru-RU" } });
  const s = await createSellerUser(db);
  const product = await createProduct(db, s.sellerId, { priceMinor: 123_450 });
  await services.clients.inventory.setStock(product.sku, 100);
  world = { buyerId: b.id, sellerId: s.sellerId, productId: product.id, sku: product.sku, inventory: services.clients.inventory };
  buyer = b;
  seller = s;
});

const deps = () => ({ db, logger, now: () => new Date(), policy: { delaysMs: [10], maxAttempts: 3 }, metrics: createPipelineMetrics(new Registry(), db) });

async function eventOf(orderId: string, type: string): Promise<Record<string, unknown> & { id: string }> {
  const row = await db.outboxEvent.findFirstOrThrow({
    where: { aggregateId: orderId, type },
    orderBy: { seq: "desc" },
    select: { id: true, seq: true, type: true, version: true, aggregateType: true, aggregateId: true, payload: true, occurredAt: true },
  });
  return { ...toEnvelope(row), id: row.id };
}

const consumer = (m: Mailer = mailer): Consumer =>
  createMailConsumer({ mailer: m, from: "Lavka <orders@lavka.test>", links: webLinks("https://shop.example.test"), concurrency: 2, sendTimeoutMs: 10_000 });

/** An order placed and paid (payments consumer against the reference gateway). */
async function paidOrder(): Promise<string> {
  const [orderId] = await placeOrders(db, world, 1, () => 123_450);
  expect(await dispatch(createPaymentsConsumer({ clients: services.clients, defaultCardToken: "tok_visa" }), await eventOf(orderId!, "order.placed"), 1, deps())).toEqual({ kind: "done" });
  return orderId!;
}

describe("mail consumer", () => {
  it("mails the buyer that the order is placed and paid, and the seller that there is an order to ship", async () => {
    const orderId = await paidOrder();
    const { number } = await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { number: true } });
    expect(await dispatch(consumer(), await eventOf(orderId, "order.placed"), 1, deps())).toEqual({ kind: "done" });
    expect(await dispatch(consumer(), await eventOf(orderId, "order.paid"), 1, deps())).toEqual({ kind: "done" });

    const [placed, paid] = await smtp.waitForMails(buyer.email, 2);
    expect(placed!.subject).toBe(`Order #${number} received`);
    expect(paid!.subject).toBe(`Payment received for order #${number}`);
    expect(placed!.from).toEqual([{ address: "orders@lavka.test", name: "Lavka" }]);
    expect(placed!.headers["auto-submitted"]).toBe("auto-generated");
    // The buyer's locale (ru-RU) formats the money; both parts link back to the order.
    const total = new Intl.NumberFormat("ru-RU", { style: "currency", currency: "EUR" }).format(1234.5);
    for (const part of [placed!.text, placed!.html]) {
      expect(part).toContain(total);
      expect(part).toContain(`https://shop.example.test/orders/${orderId}`);
    }
    const [toSeller] = await smtp.waitForMails(seller.email, 1);
    expect(toSeller!.subject).toBe(`New order #${number} for ${seller.shopName} to ship`);
    expect(toSeller!.text).toContain("Ada Buyer"); // where to ship
  });

  it("sends nothing more when the event comes again: after it was recorded, after a crash before that, and twice at once", async () => {
    const orderId = await paidOrder();
    const paid = await eventOf(orderId, "order.paid");
    expect(await dispatch(consumer(), paid, 1, deps())).toEqual({ kind: "done" });
    await smtp.waitForMails(buyer.email, 1);
    await smtp.waitForMails(seller.email, 1);

    // An ordinary redelivery: ProcessedMessage says it is done.
    expect(await dispatch(consumer(), paid, 2, deps())).toEqual({ kind: "duplicate" });
    // A worker that sent the mail and died before the event was recorded: the ledger remembers the mails.
    await db.processedMessage.delete({ where: { consumer_eventId: { consumer: "mail", eventId: paid.id } } });
    expect(await dispatch(consumer(), paid, 2, deps())).toEqual({ kind: "done" });
    // Two workers with the same event at once (a publish repeated after a broker outage).
    const placed = await eventOf(orderId, "order.placed");
    const outcomes = await Promise.all([1, 2].map(() => dispatch(consumer(), placed, 1, deps(), { firstDelivery: true })));
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["done", "duplicate"]);

    expect((await smtp.to(buyer.email)).map((m) => m.subject.replace(/#\d+/, "#N")).sort()).toEqual(["Order #N received", "Payment received for order #N"]);
    expect(await smtp.to(seller.email)).toHaveLength(1);
    expect(await db.sentMail.count({ where: { eventId: { in: [paid.id, placed.id] } } })).toBe(3);
  });

  it("a failed send is retried, and only the mails that did not go are sent again", async () => {
    const orderId = await paidOrder();
    const paid = await eventOf(orderId, "order.paid");
    // The server takes the buyer's mail, then refuses the seller's once.
    let refuse = true;
    const flaky: Mailer = {
      async send(message) {
        if (message.to.address === seller.email && refuse) {
          refuse = false;
          throw new Error("451 4.3.0 try again later");
        }
        await mailer.send(message);
      },
      close: () => undefined,
    };
    expect(await dispatch(consumer(flaky), paid, 1, deps())).toMatchObject({ kind: "retry", reason: "451 4.3.0 try again later" });
    expect(await db.sentMail.count({ where: { eventId: paid.id } })).toBe(1);
    expect(await dispatch(consumer(flaky), paid, 2, deps())).toEqual({ kind: "done" });
    await smtp.waitForMails(buyer.email, 1);
    await smtp.waitForMails(seller.email, 1);
  });

  it("mails the buyer when each parcel ships, with carrier and tracking number, and when it is delivered", async () => {
    const second = await createSellerUser(db, { shopName: `Birch <b>& Co</b> ${Date.now()}` });
    const other = await createProduct(db, second.sellerId, { title: "Linen napkins" });
    const orderId = await paidOrder();
    await db.orderLine.create({
      data: { orderId, productId: other.id, sellerId: second.sellerId, sku: other.sku, title: "Linen napkins", unitPriceMinor: 1000, currency: "EUR", quantity: 2, lineTotalMinor: 2000 },
    });
    await markShipped(db, second.sellerId, { orderId, carrier: "DHL", trackingNumber: `JJD${Date.now()}` }, new Date());
    const shipped = await eventOf(orderId, "shipment.status_changed");
    expect(await dispatch(consumer(), shipped, 1, deps())).toEqual({ kind: "done" });
    const [mail] = await smtp.waitForMails(buyer.email, 1);
    expect(mail!.subject).toContain(`Your parcel from ${second.shopName} has shipped`);
    expect(mail!.text).toContain("Carrier: DHL");
    expect(mail!.text).toMatch(/Tracking number: JJD\d+/);
    expect(mail!.text).toContain("Linen napkins");
    expect(mail!.text).not.toContain("Test product"); // the other shop's line is not in this parcel
    expect(mail!.html).toContain("Birch &lt;b&gt;&amp; Co&lt;/b&gt;");

    const shipment = await db.shipment.findFirstOrThrow({ where: { orderId, sellerId: second.sellerId }, select: { id: true } });
    await db.shipment.update({ where: { id: shipment.id }, data: { status: "delivered", deliveredAt: new Date() } });
    const { number } = await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { number: true } });
    await db.$transaction((tx) =>
      appendEvent(tx, { type: "shipment.status_changed", aggregateType: "order", aggregateId: orderId, payload: { orderId, orderNumber: number, shipmentId: shipment.id, status: "delivered", occurredAt: new Date().toISOString() } }),
    );
    expect(await dispatch(consumer(), await eventOf(orderId, "shipment.status_changed"), 1, deps())).toEqual({ kind: "done" });
    const [, delivered] = await smtp.waitForMails(buyer.email, 2);
    expect(delivered!.subject).toContain("was delivered");
  });

  it("an event for an order that does not exist fails and is dead-lettered after the attempts", async () => {
    const orderId = await paidOrder();
    const event = await eventOf(orderId, "order.placed");
    const ghost = { ...event, id: randomUUID(), aggregateId: randomUUID(), payload: { ...(event["payload"] as object), orderId: randomUUID() } };
    expect(await dispatch(consumer(), ghost, 3, deps())).toMatchObject({ kind: "dead", reason: expect.stringContaining("does not exist") });
  });

  it("is configured from SMTP_*: none without SMTP_HOST, and a user needs a password", () => {
    expect(createConfiguredMailer(pipelineConfig(testDb.url))).toBeNull();
    expect(() => createConfiguredMailer(pipelineConfig(testDb.url, { SMTP_HOST: "smtp.example.test", SMTP_USER: "lavka" }))).toThrow(
      "SMTP_PASSWORD: required when SMTP_USER is set",
    );
    const mailer = createConfiguredMailer(pipelineConfig(testDb.url, { SMTP_HOST: "smtp.example.test", SMTP_USER: "lavka", SMTP_PASSWORD: "secret" }));
    expect(mailer).not.toBeNull();
    mailer?.close();
  });
});
