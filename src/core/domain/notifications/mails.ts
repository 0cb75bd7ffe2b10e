import type { DomainEvent, EventType } from "~/core/events/definitions";
import { renderMail, type MailDocument, type RenderedMail } from "./document";
import { mailFormat, type MailFormat } from "./format";
import type { MailOrder, MailPerson } from "./order-data";
import {
  orderCancelledMail,
  orderPaidMail,
  orderPlacedMail,
  parcelDeliveredMail,
  parcelShippedMail,
  sellerNewOrderMail,
  type MailLinks,
  type Parcel,
} from "./templates";

/**
 * Which events send which mail to whom. Adding a mail is a template (templates.ts) and a line
 * here: the mail consumer subscribes to exactly the event types listed, loads the order the
 * event names and sends what the planner returns, once per (event, recipient, kind).
 */

export interface OutgoingMail {
  /** Names the template; part of the once-only key, so it must not change for a kind once used. */
  kind: string;
  to: MailPerson;
  content: RenderedMail;
}

export interface MailPlanContext {
  order: MailOrder;
  links: MailLinks;
}

type Planner<T extends EventType> = (event: DomainEvent<T>, ctx: MailPlanContext) => OutgoingMail[];

/** A mail to `to`, written in their locale's formats. */
function mail(kind: string, to: MailPerson, links: MailLinks, write: (ctx: { format: MailFormat; links: MailLinks }) => MailDocument): OutgoingMail {
  return { kind, to, content: renderMail(write({ format: mailFormat(to.locale), links })) };
}

/** The shipment an event names, as the buyer's parcel from one shop; null when it is unknown. */
function parcelOf(order: MailOrder, shipmentId: string, at: "shippedAt" | "deliveredAt"): Parcel | null {
  const shipment = order.shipments.find((s) => s.id === shipmentId);
  const shop = shipment && order.shops.find((s) => s.sellerId === shipment.sellerId);
  if (!shipment || !shop) return null;
  return {
    shop,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    lines: order.lines.filter((l) => l.sellerId === shipment.sellerId),
    at: shipment[at],
  };
}

export const mailPlanners: { [T in EventType]?: Planner<T> } = {
  "order.placed": (_event, { order, links }) => [mail("order_placed", order.buyer, links, (ctx) => orderPlacedMail(order, ctx))],
  // Sellers hear of an order once it is paid: an unpaid order may still be declined or expire.
  "order.paid": (_event, { order, links }) => [
    mail("order_paid", order.buyer, links, (ctx) => orderPaidMail(order, ctx)),
    ...order.shops.map((shop) => mail("seller_new_order", shop.owner, links, (ctx) => sellerNewOrderMail(order, shop, ctx))),
  ],
  "order.cancelled": (event, { order, links }) => [mail("order_cancelled", order.buyer, links, (ctx) => orderCancelledMail(order, event.payload.reason, ctx))],
  // A parcel "ships" when it is on its way (handed to the carrier), not when a label is booked.
  "shipment.status_changed": (event, { order, links }) => {
    const { status, shipmentId } = event.payload;
    if (status !== "in_transit" && status !== "delivered") return [];
    const parcel = parcelOf(order, shipmentId, status === "in_transit" ? "shippedAt" : "deliveredAt");
    if (!parcel) return [];
    return status === "in_transit"
      ? [mail("parcel_shipped", order.buyer, links, (ctx) => parcelShippedMail(order, parcel, ctx))]
      : [mail("parcel_delivered", order.buyer, links, (ctx) => parcelDeliveredMail(order, parcel, ctx))];
  },
};

/** The event types that send mail. */
export const mailEventTypes = Object.keys(mailPlanners) as EventType[];

/** The mails one event sends, written from the order as it is now. */
export function planMails(event: DomainEvent, ctx: MailPlanContext): OutgoingMail[] {
  const planner = mailPlanners[event.type] as Planner<typeof event.type> | undefined;
  return planner ? planner(event, ctx) : [];
}

/** Links back to the web from its public base URL ("https://shop.example.com"). */
export function webLinks(publicWebUrl: string): MailLinks {
  const base = publicWebUrl.replace(/\/+$/, "");
  return {
    order: (orderId) => `${base}/orders/${encodeURIComponent(orderId)}`,
    sellerOrders: () => `${base}/seller/orders`,
  };
}
