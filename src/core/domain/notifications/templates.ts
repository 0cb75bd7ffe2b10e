import type { MailBlock, MailDocument } from "./document";
import type { MailFormat } from "./format";
import type { MailLine, MailOrder, MailShop } from "./order-data";

/**
 * One small typed function per kind of mail. Each gets the order as it is now, the reader's
 * formats (locale) and the links back to the web, and describes the mail as blocks
 * (document.ts renders the HTML and text parts and escapes every value).
 */

/** The marketplace's name, as buyers know it. Shops sign nothing: Lavka writes on their behalf. */
export const MARKETPLACE_NAME = "Lavka";

export interface MailLinks {
  /** The buyer's order page. */
  order(orderId: string): string;
  /** The seller's orders to fulfil. */
  sellerOrders(): string;
}

export interface TemplateContext {
  format: MailFormat;
  links: MailLinks;
}

/** A seller's part of an order: their shop and the shipment of their lines, if any. */
export interface Parcel {
  shop: MailShop;
  carrier: string;
  trackingNumber: string | null;
  lines: MailLine[];
  at: Date | string | null;
}

const BUYER_REASON = `You get this mail because you ordered on ${MARKETPLACE_NAME}.`;

function items(lines: readonly MailLine[], currency: string, f: MailFormat, totals: Array<readonly [string, string]>, withShop = true): MailBlock {
  return {
    kind: "items",
    lines: lines.map((line) => ({
      title: line.title,
      detail: `${withShop ? `${line.shopName} · ` : ""}${line.quantity} × ${f.money(line.unitPriceMinor, currency)}`,
      amount: f.money(line.lineTotalMinor, currency),
    })),
    totals,
  };
}

function orderTotals(order: MailOrder, f: MailFormat): Array<readonly [string, string]> {
  return [
    ["Subtotal", f.money(order.subtotalMinor, order.currency)],
    ["Shipping", f.money(order.shippingMinor, order.currency)],
    ["Total", f.money(order.totalMinor, order.currency)],
  ];
}

function address(order: MailOrder, f: MailFormat, title: string): MailBlock {
  const a = order.shippingAddress;
  return {
    kind: "address",
    title,
    lines: [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.region, f.country(a.country)].filter((l): l is string => !!l),
  };
}

const orderAction = (order: MailOrder, links: MailLinks) => ({ label: "View your order", url: links.order(order.id) });

export function orderPlacedMail(order: MailOrder, { format: f, links }: TemplateContext): MailDocument {
  return {
    subject: `Order #${order.number} received`,
    preheader: `${f.money(order.totalMinor, order.currency)}, placed ${f.dateTime(order.placedAt)}`,
    heading: "Thank you for your order",
    blocks: [
      { kind: "paragraph", text: `We have your order #${order.number}, placed ${f.dateTime(order.placedAt)}. We are taking the payment now and will mail you when it has gone through.` },
      items(order.lines, order.currency, f, orderTotals(order, f)),
      address(order, f, "Delivery to"),
    ],
    action: orderAction(order, links),
    signature: MARKETPLACE_NAME,
    reason: BUYER_REASON,
  };
}

export function orderPaidMail(order: MailOrder, { format: f, links }: TemplateContext): MailDocument {
  const shops = order.shops.map((s) => s.shopName).join(", ");
  return {
    subject: `Payment received for order #${order.number}`,
    preheader: `${f.money(order.totalMinor, order.currency)} paid; ${shops} ${order.shops.length === 1 ? "is" : "are"} preparing your items`,
    heading: "Your payment went through",
    blocks: [
      { kind: "paragraph", text: `We received ${f.money(order.totalMinor, order.currency)} for order #${order.number}${order.paidAt ? ` on ${f.dateTime(order.paidAt)}` : ""}.` },
      {
        kind: "paragraph",
        text:
          order.shops.length === 1
            ? `${shops} is preparing your items. We will mail you when the parcel ships.`
            : `${order.shops.length} shops are preparing your items: ${shops}. Each ships its own parcel, and we will mail you as each one ships.`,
      },
      items(order.lines, order.currency, f, orderTotals(order, f)),
    ],
    action: orderAction(order, links),
    signature: MARKETPLACE_NAME,
    reason: BUYER_REASON,
  };
}

function parcelFacts(parcel: Parcel): MailBlock {
  return {
    kind: "facts",
    rows: [["Carrier", parcel.carrier], ...(parcel.trackingNumber ? [["Tracking number", parcel.trackingNumber] as const] : [])],
  };
}

export function parcelShippedMail(order: MailOrder, parcel: Parcel, { format: f, links }: TemplateContext): MailDocument {
  return {
    subject: `Your parcel from ${parcel.shop.shopName} has shipped (order #${order.number})`,
    preheader: `${parcel.carrier}${parcel.trackingNumber ? `, tracking number ${parcel.trackingNumber}` : ""}`,
    heading: "Your parcel is on its way",
    blocks: [
      { kind: "paragraph", text: `${parcel.shop.shopName} handed your parcel for order #${order.number} to the carrier${parcel.at ? ` on ${f.dateTime(parcel.at)}` : ""}.` },
      parcelFacts(parcel),
      items(parcel.lines, order.currency, f, [], false),
      address(order, f, "Delivery to"),
    ],
    action: { label: "Follow your order", url: links.order(order.id) },
    signature: MARKETPLACE_NAME,
    reason: BUYER_REASON,
  };
}

export function parcelDeliveredMail(order: MailOrder, parcel: Parcel, { format: f, links }: TemplateContext): MailDocument {
  const rest = order.shops.length > 1 ? " Parcels from the order's other shops travel on their own; we mail you about each." : "";
  return {
    subject: `Your parcel from ${parcel.shop.shopName} was delivered (order #${order.number})`,
    preheader: parcel.at ? `Delivered ${f.dateTime(parcel.at)}` : "Delivered",
    heading: "Your parcel was delivered",
    blocks: [
      { kind: "paragraph", text: `${parcel.carrier} delivered the parcel from ${parcel.shop.shopName}${parcel.at ? ` on ${f.dateTime(parcel.at)}` : ""}.${rest}` },
      parcelFacts(parcel),
      items(parcel.lines, order.currency, f, [], false),
    ],
    action: orderAction(order, links),
    signature: MARKETPLACE_NAME,
    reason: BUYER_REASON,
  };
}

export function orderCancelledMail(order: MailOrder, reason: string, { format: f, links }: TemplateContext): MailDocument {
  return {
    subject: `Order #${order.number} was cancelled`,
    preheader: reason,
    heading: `Order #${order.number} was cancelled`,
    blocks: [
      { kind: "paragraph", text: `Your order #${order.number} of ${f.money(order.totalMinor, order.currency)}${order.cancelledAt ? ` was cancelled on ${f.dateTime(order.cancelledAt)}` : " was cancelled"}.` },
      { kind: "facts", rows: [["Reason", reason]] },
      items(order.lines, order.currency, f, orderTotals(order, f)),
    ],
    action: orderAction(order, links),
    signature: MARKETPLACE_NAME,
    reason: BUYER_REASON,
  };
}

/** To a shop: the paid order's lines from that shop only, and where to ship them. */
export function sellerNewOrderMail(order: MailOrder, shop: MailShop, { format: f, links }: TemplateContext): MailDocument {
  const lines = order.lines.filter((l) => l.sellerId === shop.sellerId);
  const subtotal = lines.reduce((sum, l) => sum + l.lineTotalMinor, 0);
  const units = lines.reduce((sum, l) => sum + l.quantity, 0);
  return {
    subject: `New order #${order.number} for ${shop.shopName} to ship`,
    preheader: `${units} ${units === 1 ? "item" : "items"}, ${f.money(subtotal, order.currency)}`,
    heading: `New order #${order.number} to ship`,
    blocks: [
      { kind: "paragraph", text: `The buyer paid for order #${order.number}${order.paidAt ? ` on ${f.dateTime(order.paidAt)}` : ""}. Please pack these items from ${shop.shopName} and ship them.` },
      items(lines, order.currency, f, [[`Your part of the order`, f.money(subtotal, order.currency)]], false),
      address(order, f, "Ship to"),
    ],
    action: { label: "Open your orders", url: links.sellerOrders() },
    signature: MARKETPLACE_NAME,
    reason: `You get this mail because ${shop.shopName} sells on ${MARKETPLACE_NAME}.`,
  };
}
