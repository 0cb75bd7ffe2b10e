// What each event mails, to whom, and what the reader sees: both parts, the reader's locale for
// money, dates and countries, links back to the order, and every value escaped in the HTML.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DomainEvent, EventType } from "~/core/events/definitions";
import { escapeHtml } from "./html";
import { mailEventTypes, planMails, webLinks, type OutgoingMail } from "./mails";
import type { MailOrder } from "./order-data";

const links = webLinks("https://shop.example.com/");
const ORDER_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const SHIP_A = randomUUID();
const SHIP_B = randomUUID();

function order(overrides: Partial<MailOrder> = {}): MailOrder {
  const buyer = { email: "Ada@Example.test", name: "Ada", locale: "en" };
  const shops = [
    { sellerId: "s-a", shopName: "Birch & Co", owner: { email: "birch@example.test", name: "Bea", locale: "de-DE" } },
    { sellerId: "s-b", shopName: "Quokka Works", owner: { email: "quokka@example.test", name: "Quinn", locale: "en-GB" } },
  ];
  return {
    id: ORDER_ID,
    number: 1042,
    status: "paid",
    currency: "EUR",
    subtotalMinor: 4400,
    shippingMinor: 0,
    totalMinor: 4400,
    cancelReason: null,
    placedAt: new Date("2026-12-02T14:05:00Z"),
    paidAt: new Date("2026-12-02T14:06:00Z"),
    cancelledAt: null,
    shippingAddress: { name: "Ada Lovelace", line1: "1 Test Street", city: "Berlin", postalCode: "10115", country: "DE" },
    buyer,
    lines: [
      { title: "Linen apron", quantity: 1, unitPriceMinor: 1900, lineTotalMinor: 1900, sellerId: "s-a", shopName: "Birch & Co" },
      { title: "Linen napkins", quantity: 2, unitPriceMinor: 1250, lineTotalMinor: 2500, sellerId: "s-b", shopName: "Quokka Works" },
    ],
    shops,
    shipments: [
      { id: SHIP_A, sellerId: "s-a", carrier: "Lavka Delivery", trackingNumber: "LD123456789", status: "in_transit", shippedAt: new Date("2026-12-03T09:30:00Z"), deliveredAt: null },
      { id: SHIP_B, sellerId: "s-b", carrier: "DHL", trackingNumber: "JJD000390007", status: "delivered", shippedAt: new Date("2026-12-03T10:00:00Z"), deliveredAt: new Date("2026-12-04T16:45:00Z") },
    ],
    ...overrides,
  };
}

function event<T extends EventType>(type: T, payload: Record<string, unknown>): DomainEvent<T> {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateType: "order",
    aggregateId: ORDER_ID,
    payload: { orderId: ORDER_ID, orderNumber: 1042, ...payload },
  } as DomainEvent<T>;
}

const plan = (e: DomainEvent, o = order()) => planMails(e, { order: o, links });
const kinds = (mails: OutgoingMail[]) => mails.map((m) => `${m.kind} -> ${m.to.email}`);

describe("which events mail whom", () => {
  it("buyers hear of placed, paid, shipped, delivered and cancelled orders; sellers of paid orders to ship", () => {
    expect(mailEventTypes.sort()).toEqual(["order.cancelled", "order.paid", "order.placed", "shipment.status_changed"]);
    expect(kinds(plan(event("order.placed", {})))).toEqual(["order_placed -> Ada@Example.test"]);
    expect(kinds(plan(event("order.paid", {})))).toEqual([
      "order_paid -> Ada@Example.test",
      "seller_new_order -> birch@example.test",
      "seller_new_order -> quokka@example.test",
    ]);
    expect(kinds(plan(event("order.cancelled", { reason: "Cancelled by the buyer" })))).toEqual(["order_cancelled -> Ada@Example.test"]);
    expect(kinds(plan(event("shipment.status_changed", { shipmentId: SHIP_A, status: "in_transit", occurredAt: new Date().toISOString() })))).toEqual([
      "parcel_shipped -> Ada@Example.test",
    ]);
    expect(kinds(plan(event("shipment.status_changed", { shipmentId: SHIP_B, status: "delivered", occurredAt: new Date().toISOString() })))).toEqual([
      "parcel_delivered -> Ada@Example.test",
    ]);
  });

  it("sends nothing for steps a buyer does not need a mail for, or for a shipment it cannot find", () => {
    for (const status of ["created", "out_for_delivery"]) {
      expect(plan(event("shipment.status_changed", { shipmentId: SHIP_A, status, occurredAt: new Date().toISOString() }))).toEqual([]);
    }
    expect(plan(event("shipment.status_changed", { shipmentId: randomUUID(), status: "in_transit", occurredAt: new Date().toISOString() }))).toEqual([]);
  });
});

describe("what the mails say", () => {
  it("order placed: both parts list the lines with their shops, the totals, the address and a link to the order", () => {
    const [mail] = plan(event("order.placed", {}));
    const { subject, text, html } = mail!.content;
    expect(subject).toBe("Order #1042 received");
    for (const part of [text, html]) {
      expect(part).toContain("Linen napkins");
      expect(part).toContain("2 × €12.50");
      expect(part).toContain("€44.00");
      expect(part).toContain("December 2, 2026");
      expect(part).toContain("Germany");
      expect(part).toContain("https://shop.example.com/orders/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
      expect(part).toContain("Lavka");
    }
    expect(text).toContain("Birch & Co · 1 × €19.00");
    expect(html).toContain("Birch &amp; Co · 1 × €19.00");
    expect(html).toContain('<a href="https://shop.example.com/orders/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"');
  });

  it("a Russian reader gets Russian money, dates and country names", () => {
    const ru = order({ buyer: { email: "ivan@example.test", name: "Иван", locale: "ru-RU" }, totalMinor: 123_450, subtotalMinor: 123_450 });
    const { text, html } = plan(event("order.placed", {}), ru)[0]!.content;
    const total = new Intl.NumberFormat("ru-RU", { style: "currency", currency: "EUR" }).format(1234.5);
    // ru-RU groups with a no-break space and puts the sign after: "1 234,50 €".
    expect(total).toMatch(/^1\s234,50\s€$/);
    expect(text).toContain(total);
    expect(html).toContain(total);
    expect(text).toContain("2 декабря 2026 г.");
    expect(text).toContain("Германия");
  });

  it("a locale Intl cannot use falls back to English", () => {
    const odd = order({ buyer: { email: "x@example.test", name: "X", locale: "not a locale" } });
    expect(plan(event("order.placed", {}), odd)[0]!.content.text).toContain("€44.00");
  });

  it("a seller's mail shows their part only, in their own locale, with where to ship and a link to their orders", () => {
    const mails = plan(event("order.paid", {}));
    const birch = mails.find((m) => m.to.email === "birch@example.test")!.content;
    expect(birch.subject).toBe("New order #1042 for Birch & Co to ship");
    expect(birch.text).toContain("Linen apron");
    expect(birch.text).not.toContain("Linen napkins");
    expect(birch.text).toContain("19,00\u00a0€"); // de-DE: a no-break space before the sign
    expect(birch.text).not.toContain("44,00");
    expect(birch.text).toContain("Ada Lovelace");
    expect(birch.text).toContain("https://shop.example.com/seller/orders");
  });

  it("shipped names the shop, carrier and tracking number; delivered says when", () => {
    const shipped = plan(event("shipment.status_changed", { shipmentId: SHIP_A, status: "in_transit", occurredAt: new Date().toISOString() }))[0]!.content;
    expect(shipped.subject).toBe("Your parcel from Birch & Co has shipped (order #1042)");
    expect(shipped.text).toContain("Carrier: Lavka Delivery");
    expect(shipped.text).toContain("Tracking number: LD123456789");
    expect(shipped.text).toContain("Linen apron");
    expect(shipped.text).not.toContain("Linen napkins");
    const delivered = plan(event("shipment.status_changed", { shipmentId: SHIP_B, status: "delivered", occurredAt: new Date().toISOString() }))[0]!.content;
    expect(delivered.subject).toBe("Your parcel from Quokka Works was delivered (order #1042)");
    expect(delivered.text).toContain("DHL delivered the parcel from Quokka Works on December 4, 2026 at 4:45 PM UTC.");
  });

  it("cancelled gives the reason", () => {
    const { text, html } = plan(event("order.cancelled", { reason: "Payment failed: card_declined" }), order({ cancelledAt: new Date("2026-12-02T14:07:00Z") }))[0]!.content;
    expect(text).toContain("Reason: Payment failed: card_declined");
    expect(html).toContain("Payment failed: card_declined");
  });

  it("escapes every value in the HTML part: shop names, titles, names, addresses, reasons", () => {
    const evil = '<img src=x onerror="alert(1)">';
    const o = order({
      buyer: { email: "ada@example.test", name: evil, locale: "en" },
      shippingAddress: { name: evil, line1: `${evil} street`, city: evil, postalCode: "1", country: "DE" },
      lines: [{ title: `Apron ${evil}`, quantity: 1, unitPriceMinor: 1900, lineTotalMinor: 1900, sellerId: "s-a", shopName: `Shop ${evil}` }],
      shops: [{ sellerId: "s-a", shopName: `Shop ${evil}`, owner: { email: "birch@example.test", name: evil, locale: "en" } }],
    });
    const mails = [
      ...plan(event("order.placed", {}), o),
      ...plan(event("order.paid", {}), o),
      ...plan(event("order.cancelled", { reason: `Because ${evil}` }), o),
      ...plan(event("shipment.status_changed", { shipmentId: SHIP_A, status: "in_transit", occurredAt: new Date().toISOString() }), o),
    ];
    expect(mails).toHaveLength(5);
    for (const { content } of mails) {
      expect(content.html).not.toContain("<img");
      expect(content.html).toContain(escapeHtml(evil));
      // The plain-text part is not HTML: it shows the text as typed.
      expect(content.text).toContain(evil);
    }
  });
});
