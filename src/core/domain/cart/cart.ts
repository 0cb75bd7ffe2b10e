import { randomUUID } from "node:crypto";
import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import { minorNumber, MONEY_LIMITS } from "~/core/money";
import type { Availability, AvailabilityReader } from "~/core/domain/catalog/availability";
import { productPhotosSelect } from "~/core/domain/photos/photos";
import type { PhotoView } from "~/core/domain/photos/urls";
import { moneyProblems, quantityProblem, type PricedLine } from "./limits";

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
      photos: { ...productPhotosSelect, take: 1 },
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
  /** The main photo, else the first linked image URL, else neither. */
  photo: PhotoView | null;
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
      photo: p.photos[0] ?? null,
      image: p.images[0] ?? null,
      seller: p.seller,
      quantity: row.quantity,
      unitPriceMinor: minorNumber(p.priceMinor),
      currency: p.currency,
      lineTotalMinor: minorNumber(p.priceMinor) * row.quantity,
      availability,
      problem,
    };
  });
  const onSale = lines.filter((l) => l.problem !== "unavailable");
  const totals = new Map<string, number>();
  for (const l of onSale) totals.set(l.currency, (totals.get(l.currency) ?? 0) + l.lineTotalMinor);
  const blockers: string[] = [];
  if (lines.length === 0) blockers.push("The cart is empty.");
  for (const l of lines) {
    if (l.problem === "unavailable") blockers.push(`"${l.title}" is no longer sold; remove it.`);
    if (l.problem === "out_of_stock") blockers.push(`"${l.title}" is out of stock.`);
    if (l.problem === "insufficient_stock" && l.availability.status === "known") {
      blockers.push(`Only ${l.availability.available} of "${l.title}" left; lower the quantity.`);
    }
  }
  blockers.push(...moneyProblems(onSale));
  if (totals.size > 1) blockers.push(`The cart mixes currencies (${[...totals.keys()].join(", ")}); check out one currency at a time.`);
  return {
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    totals: [...totals].map(([currency, subtotalMinor]) => ({ currency, subtotalMinor })),
    canCheckout: blockers.length === 0,
    blockers,
  };
}

interface AddRow {
  /** Null when no product on sale has that id (nothing was written). */
  productId: string | null;
  /** The line's quantity after the add; null when the add was refused. */
  quantity: number | null;
  /** The line's quantity before this statement, as far as its snapshot saw. */
  previous: number | null;
}

/**
 * Adds units (to an existing line if there is one), capped per line, in one statement.
 *
 * Concurrent adds of one product must add up: the line is an INSERT ... ON CONFLICT DO UPDATE
 * of quantity + n, which PostgreSQL applies to the latest committed row under its row lock
 * (read-then-write in Node lost updates). The per-line caps (units, and the line's total against
 * MONEY_LIMITS) are the update's WHERE, checked on that same row, so concurrent adds can never
 * pass them. The cart row is upserted in the same statement. The line-count cap and the per-order
 * total are soft under concurrency (two different products added at once may both fit): the
 * cart page then shows why it cannot check out, and checkout refuses it (limits.ts).
 */
export async function addToCart(deps: CartDeps, userId: string, input: { productId: string; quantity: number }): Promise<CartView> {
  const [row] = await deps.db.$queryRaw<AddRow[]>`
    WITH product AS (
      SELECT id, "priceMinor" AS price, currency FROM "Product" WHERE id = ${input.productId}::uuid AND status = 'active'
    ), cart AS (
      INSERT INTO "Cart" (id, "userId", "updatedAt")
      SELECT ${randomUUID()}::uuid, ${userId}, now() FROM product
      ON CONFLICT ("userId") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt"
      RETURNING id
    ), existing AS (
      SELECT l.quantity FROM "CartLine" l JOIN cart ON l."cartId" = cart.id WHERE l."productId" = ${input.productId}::uuid
    ), others AS (
      SELECT coalesce(sum(o."priceMinor" * l.quantity), 0) AS total
      FROM "CartLine" l JOIN cart ON l."cartId" = cart.id JOIN "Product" o ON o.id = l."productId" JOIN product ON o.currency = product.currency
      WHERE l."productId" <> product.id AND o.status = 'active'
    ), line AS (
      INSERT INTO "CartLine" ("cartId", "productId", quantity)
      SELECT cart.id, product.id, ${input.quantity}::int FROM cart, product, others
      WHERE (EXISTS (SELECT 1 FROM existing)
             OR (SELECT count(*) FROM "CartLine" l WHERE l."cartId" = cart.id) < ${MAX_CART_LINES})
        AND product.price * (coalesce((SELECT quantity FROM existing), 0) + ${input.quantity}::int) <= ${MONEY_LIMITS.lineTotalMinor}::bigint
        AND others.total + product.price * (coalesce((SELECT quantity FROM existing), 0) + ${input.quantity}::int) <= ${MONEY_LIMITS.orderTotalMinor}::bigint
      ON CONFLICT ("cartId", "productId") DO UPDATE SET quantity = "CartLine".quantity + EXCLUDED.quantity
      WHERE "CartLine".quantity + EXCLUDED.quantity <= ${MAX_LINE_QUANTITY}
        AND ("CartLine".quantity + EXCLUDED.quantity) * (SELECT price FROM product) <= ${MONEY_LIMITS.lineTotalMinor}::bigint
      RETURNING quantity
    )
    SELECT (SELECT id::text FROM product) AS "productId", (SELECT quantity FROM line) AS quantity, (SELECT quantity FROM existing) AS previous`;
  if (!row?.productId) throw new DomainError("not_found", `no product on sale with id ${input.productId}.`, { field: "productId" });
  if (row.quantity === null) {
    // Refused by a cap. The statement's snapshot may predate concurrent adds: re-read the cart to
    // say which cap, with the line's current quantity.
    const lines = await pricedLines(deps.db, userId);
    const line = lines.find((l) => l.productId === input.productId);
    const current = line?.quantity ?? row.previous ?? 0;
    if (current + input.quantity > MAX_LINE_QUANTITY) {
      throw new DomainError("invalid", `at most ${MAX_LINE_QUANTITY} of one product per order (cart has ${current}).`, { field: "quantity" });
    }
    const product = line ?? (await pricedProduct(deps.db, input.productId));
    const money = product && quantityProblem(lines, product, current + input.quantity);
    if (money) throw new DomainError("invalid", money, { field: "quantity" });
    throw new DomainError("invalid", `a cart holds at most ${MAX_CART_LINES} different products.`, { field: "productId" });
  }
  return viewCart(deps, userId);
}

/** The user's cart lines on sale, with their prices, for the money limits. */
async function pricedLines(db: Db, userId: string): Promise<PricedLine[]> {
  const rows = await db.cartLine.findMany({
    where: { cart: { userId }, product: { status: "active" } },
    select: { productId: true, quantity: true, product: { select: { title: true, priceMinor: true, currency: true } } },
  });
  return rows.map((r) => ({ productId: r.productId, quantity: r.quantity, title: r.product.title, currency: r.product.currency, unitPriceMinor: minorNumber(r.product.priceMinor) }));
}

async function pricedProduct(db: Db, productId: string): Promise<PricedLine | null> {
  const p = await db.product.findUnique({ where: { id: productId }, select: { title: true, priceMinor: true, currency: true } });
  return p && { productId, quantity: 0, title: p.title, currency: p.currency, unitPriceMinor: minorNumber(p.priceMinor) };
}

/** Sets a line's quantity; 0 removes the line. */
export async function setCartQuantity(deps: CartDeps, userId: string, input: { productId: string; quantity: number }): Promise<CartView> {
  if (input.quantity === 0) return removeFromCart(deps, userId, input);
  // The money limits are checked first, so soft under concurrency like the add's per-order total.
  const lines = await pricedLines(deps.db, userId);
  const line = lines.find((l) => l.productId === input.productId);
  const money = line && quantityProblem(lines, line, input.quantity);
  if (money) throw new DomainError("invalid", money, { field: "quantity" });
  // One conditional write: a line removed concurrently stays removed (NOT_FOUND), never comes back.
  const updated = await deps.db.cartLine.updateMany({ where: { cart: { userId }, productId: input.productId }, data: { quantity: input.quantity } });
  if (updated.count === 0) throw new DomainError("not_found", `${input.productId} is not in your cart.`, { field: "productId" });
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
