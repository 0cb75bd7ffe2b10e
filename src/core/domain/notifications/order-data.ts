import type { Db, Prisma } from "~/lib/db";
import { minorNumbers, type MinorNumbers } from "~/core/money";
import type { ShippingAddress } from "~/core/address";

/** What the mail templates may show of an order: read fresh when the mail is written. */
const mailOrderSelect = {
  id: true,
  number: true,
  status: true,
  currency: true,
  subtotalMinor: true,
  shippingMinor: true,
  totalMinor: true,
  shippingAddress: true,
  cancelReason: true,
  placedAt: true,
  paidAt: true,
  cancelledAt: true,
  buyer: { select: { email: true, displayName: true, locale: true } },
  lines: {
    select: { title: true, quantity: true, unitPriceMinor: true, lineTotalMinor: true, sellerId: true, seller: { select: { shopName: true, user: { select: { email: true, displayName: true, locale: true } } } } },
    orderBy: { id: "asc" },
  },
  shipments: {
    select: { id: true, sellerId: true, carrier: true, trackingNumber: true, status: true, shippedAt: true, deliveredAt: true },
  },
} satisfies Prisma.OrderSelect;

type Row = MinorNumbers<Prisma.OrderGetPayload<{ select: typeof mailOrderSelect }>>;

export interface MailPerson {
  email: string;
  name: string;
  locale: string;
}

export interface MailLine {
  title: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
  sellerId: string;
  shopName: string;
}

export interface MailShop {
  sellerId: string;
  shopName: string;
  /** The shop owner's account, where seller mail goes. */
  owner: MailPerson;
}

export type MailOrder = Omit<Row, "buyer" | "lines" | "shippingAddress"> & {
  shippingAddress: ShippingAddress;
  buyer: MailPerson;
  lines: MailLine[];
  /** Every shop with lines in the order, in the order of their first line. */
  shops: MailShop[];
};

/** The order as mail shows it, or null when it does not exist. */
export async function loadMailOrder(db: Db, orderId: string): Promise<MailOrder | null> {
  const row = await db.order.findUnique({ where: { id: orderId }, select: mailOrderSelect });
  if (!row) return null;
  const { buyer, lines, shippingAddress, ...order } = minorNumbers(row);
  const shops = new Map<string, MailShop>();
  for (const { sellerId, seller } of lines) {
    if (!shops.has(sellerId)) shops.set(sellerId, { sellerId, shopName: seller.shopName, owner: { email: seller.user.email, name: seller.user.displayName, locale: seller.user.locale } });
  }
  return {
    ...order,
    shippingAddress: shippingAddress as unknown as ShippingAddress,
    buyer: { email: buyer.email, name: buyer.displayName, locale: buyer.locale },
    lines: lines.map(({ seller, ...line }) => ({ ...line, shopName: seller.shopName })),
    shops: [...shops.values()],
  };
}
