import { TRPCError } from "@trpc/server";
import type { Db, Prisma } from "~/lib/db";
import type { Availability, AvailabilityReader } from "~/server/domain/catalog/availability";

/**
 * A signed-in user's cart, kept in the database. It stores only product and quantity: prices
 * and availability are read fresh every time the cart is shown, so it never shows a stale price.
 */
export interface CartDeps {
  db: Db;
  availability: AvailabilityReader;
}

export const MAX_CART_LINES = 100;
export const MAX_LINE_QUANTITY = 999;

export const cartLineSelect = {
  quantity: true,
  addedAt: true,
  product: {
    select: {
      id: true,
      sku: true,
      title: true,
      images: true,
      priceMinor: true,
      currency: true,
      status: true,
      seller: { select: { id: true, shopName: true } },
    },
  },
} satisfies Prisma.CartLineSelect;

/**
 * Why a line cannot be checked out as it is:
 * unavailable: the product was unpublished or archived; out_of_stock: none left;
 * insufficient_stock: fewer left than the quantity asked for.
 */
export type CartLineProblem = "unavailable" | "out_of_stock" | "insufficient_stock";

export interface CartLineView {
  productId: string;
  sku: string;
  title: string;
  image: string | null;
  seller: { id: string; shopName: string };
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  lineTotalMinor: number;
  availability: Availability;
  problem: CartLineProblem | null;
}

export interface CartView {
  lines: CartLineView[];
  /** Item count, summed over lines. */
  itemCount: number;
  /** Totals per currency (a cart may hold several; checkout takes one at a time). */
  totals: { currency: string; subtotalMinor: number }[];
  /** True when checkout.place would accept this cart right now (as far as we know). */
  canCheckout: boolean;
  /** Why not, in words, when canCheckout is false. */
  blockers: string[];
}

async function cartId(db: Db, userId: string): Promise<string> {
  const cart = await db.cart.upsert({ where: { userId }, create: { userId }, update: {}, select: { id: true } });
  return cart.id;
}

export async function viewCart(deps: CartDeps, userId: string): Promise<CartView> {
  const cart = await deps.db.cart.findUnique({
    where: { userId },
    select: { lines: { select: cartLineSelect, orderBy: [{ addedAt: "asc" }, { productId: "asc" }] } },
  });
  const rows = cart?.lines ?? [];
  const levels = await deps.availability.read(rows.filter((r) => r.product.status === "active").map((r) => r.product.sku));
  const lines = rows.map((row): CartLineView => {
    const p = row.product;
    const availability: Availability = p.status === "active" ? (levels.get(p.sku) ?? { status: "unknown" }) : { status: "unknown" };
    let problem: CartLineProblem | null = null;
    if (p.status !== "active") problem = "unavailable";
    else if (availability.status === "known" && availability.available === 0) problem = "out_of_stock";
    else if (availability.status === "known" && availability.available < row.quantity) problem = "insufficient_stock";
    return {
      productId: p.id,
      sku: p.sku,
      title: p.title,
      image: p.images[0] ?? null,
      seller: p.seller,
      quantity: row.quantity,
      unitPriceMinor: p.priceMinor,
      currency: p.currency,
      lineTotalMinor: p.priceMinor * row.quantity,
      availability,
      problem,
    };
  });
  const totals = new Map<string, number>();
  for (const l of lines) if (l.problem !== "unavailable") totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.lineTotalMinor);
  const blockers: string[] = [];
  if (lines.length === 0) blockers.push("The cart is empty.");
  for (const l of lines) {
    if (l.problem === "unavailable") blockers.push(`"${l.title}" is no longer sold; remove it.`);
    if (l.problem === "out_of_stock") blockers.push(`"${l.title}" is out of stock.`);
    if (l.problem === "insufficient_stock" && l.availability.status === "known") {
      blockers.push(`Only ${l.availability.available} of "${l.title}" left; lower the quantity.`);
    }
  }
  if (totals.size > 1) blockers.push(`The cart mixes currencies (${[...totals.keys()].join(", ")}); check out one currency at a time.`);
  return {
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    totals: [...totals].map(([currency, subtotalMinor]) => ({ currency, subtotalMinor })),
    canCheckout: blockers.length === 0,
    blockers,
  };
}

async function requireBuyableProduct(db: Db, productId: string): Promise<void> {
  const product = await db.product.findFirst({ where: { id: productId, status: "active" }, select: { id: true } });
  if (!product) throw new TRPCError({ code: "NOT_FOUND", message: `productId: no product on sale with id ${productId}.` });
}

/** Adds units (to an existing line if there is one), capped per line. */
export async function addToCart(deps: CartDeps, userId: string, input: { productId: string; quantity: number }): Promise<CartView> {
  await requireBuyableProduct(deps.db, input.productId);
  const id = await cartId(deps.db, userId);
  const existing = await deps.db.cartLine.findUnique({
    where: { cartId_productId: { cartId: id, productId: input.productId } },
    select: { quantity: true },
  });
  const quantity = (existing?.quantity ?? 0) + input.quantity;
  if (quantity > MAX_LINE_QUANTITY) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `quantity: at most ${MAX_LINE_QUANTITY} of one product per order (cart has ${existing?.quantity ?? 0}).` });
  }
  if (!existing && (await deps.db.cartLine.count({ where: { cartId: id } })) >= MAX_CART_LINES) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `productId: a cart holds at most ${MAX_CART_LINES} different products.` });
  }
  await deps.db.cartLine.upsert({
    where: { cartId_productId: { cartId: id, productId: input.productId } },
    create: { cartId: id, productId: input.productId, quantity },
    update: { quantity },
    select: { cartId: true },
  });
  return viewCart(deps, userId);
}

/** Sets a line's quantity; 0 removes the line. */
export async function setCartQuantity(deps: CartDeps, userId: string, input: { productId: string; quantity: number }): Promise<CartView> {
  if (input.quantity === 0) return removeFromCart(deps, userId, input);
  const id = await cartId(deps.db, userId);
  const updated = await deps.db.cartLine.updateMany({ where: { cartId: id, productId: input.productId }, data: { quantity: input.quantity } });
  if (updated.count === 0) throw new TRPCError({ code: "NOT_FOUND", message: `productId: ${input.productId} is not in your cart.` });
  return viewCart(deps, userId);
}

/** Removes a line; removing one that is not there is fine (the cart ends up as asked). */
export async function removeFromCart(deps: CartDeps, userId: string, input: { productId: string }): Promise<CartView> {
  await deps.db.cartLine.deleteMany({ where: { cart: { userId }, productId: input.productId } });
  return viewCart(deps, userId);
}

export async function clearCart(deps: CartDeps, userId: string): Promise<CartView> {
  await deps.db.cartLine.deleteMany({ where: { cart: { userId } } });
  return viewCart(deps, userId);
}
