import { createHash, randomUUID } from "node:crypto";
import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import { minorNumber, minorNumbers, type MinorNumbers } from "~/core/money";
import { ExternalServiceError, toDomainError } from "~/core/integrations/errors";
import { insufficientStockDetails, type InventoryClient, type Reservation } from "~/core/integrations/inventory";
import { moneyProblems } from "~/core/domain/cart/limits";
import type { AvailabilityReader } from "~/core/domain/catalog/availability";
import { getSetting } from "~/core/domain/settings/settings";
import type { AuthUser } from "~/core/domain/actor";
import { OPENED_ORDER, openOrderSql } from "~/core/domain/lifecycle";
import type { ShippingAddress } from "~/core/address";

/**
 * checkout.place: cart -> order, exactly once per idempotency key.
 *
 * 1. A key that already made an order returns that order (retries are safe) when the request is
 *    the same one: same address, and the cart that order emptied (or the same lines again). The
 *    key with a different request is UNPROCESSABLE_CONTENT (422) and changes nothing, as payment
 *    APIs answer a reused Idempotency-Key.
 * 2. The same key while its first attempt is still running gets CONFLICT.
 * 3. Stock is reserved in the inventory service first (all lines or none, under its row locks,
 *    with an idempotency key derived from buyer + key + cart), so no unit is sold twice.
 * 4. One statement (atomic, one round trip) writes the order, its lines (price snapshots), the
 *    first status change, the pending payment, the `order.placed` outbox event, and empties the cart.
 * 5. If that statement fails, the reservation is released: nothing is half-done.
 * Across API replicas, the unique (buyerId, idempotencyKey) index is the last word: the loser
 * of a race gets CONFLICT and leaves the shared reservation to the winner.
 */
export interface CheckoutDeps {
  db: Db;
  logger: Logger;
  inventory: InventoryClient;
  availability: AvailabilityReader;
  now: () => Date;
}

export interface PlaceOrderInput {
  idempotencyKey: string;
  shippingAddress: ShippingAddress;
}

export const placedOrderSelect = {
  id: true,
  number: true,
  status: true,
  currency: true,
  subtotalMinor: true,
  shippingMinor: true,
  totalMinor: true,
  idempotencyKey: true,
  reservationExpiresAt: true,
  shippingAddress: true,
  placedAt: true,
  lines: {
    select: { id: true, productId: true, sellerId: true, sku: true, title: true, unitPriceMinor: true, currency: true, quantity: true, lineTotalMinor: true },
    orderBy: { sku: "asc" },
  },
} satisfies Prisma.OrderSelect;

export type PlacedOrder = MinorNumbers<Prisma.OrderGetPayload<{ select: typeof placedOrderSelect }>>;

/** Attempts running in this process, by buyer and key: the second one is a concurrent duplicate. */
const inFlight = new Set<string>();

function duplicateInFlight(): DomainError {
  return new DomainError("conflict", "a checkout with this key is already in progress; wait for it to finish, then retry with the same key to get its order.", { field: "idempotencyKey" });
}

export async function placeOrder(deps: CheckoutDeps, user: AuthUser, input: PlaceOrderInput): Promise<PlacedOrder> {
  const previous = await findOrder(deps.db, user.id, input.idempotencyKey);
  if (previous) {
    await requireSameRequest(deps.db, user.id, input, previous);
    return previous.order;
  }
  const slot = `${user.id}\n${input.idempotencyKey}`;
  if (inFlight.has(slot)) throw duplicateInFlight();
  inFlight.add(slot);
  try {
    return await placeOnce(deps, user, input);
  } finally {
    inFlight.delete(slot);
  }
}

async function findOrder(db: Db, buyerId: string, idempotencyKey: string): Promise<{ order: PlacedOrder; requestHash: string | null } | null> {
  const row = await db.order.findUnique({ where: { buyerId_idempotencyKey: { buyerId, idempotencyKey } }, select: { ...placedOrderSelect, requestHash: true } });
  if (!row) return null;
  const { requestHash, ...order } = row;
  return { order: minorNumbers(order), requestHash };
}

/**
 * What makes two checkout requests the same one: the address and the cart's products and
 * quantities (not prices: a price changed since is still the same cart). Keys are sorted, so the
 * address's field order does not matter.
 */
function requestFingerprint(shippingAddress: ShippingAddress, lines: { productId: string; quantity: number }[]): string {
  // Code-unit order (not localeCompare): the same request must hash the same on every machine.
  const byKey = <T>(key: (item: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const address = Object.entries(shippingAddress).filter(([, v]) => v !== undefined).sort(byKey(([k]) => k));
  const cart = [...lines].sort(byKey((l) => l.productId)).map((l) => [l.productId, l.quantity]);
  return createHash("sha256").update(JSON.stringify({ address, cart })).digest("hex");
}

/**
 * The key already placed an order: this must be a retry of that request. A retry finds the cart
 * the order emptied, so an empty cart counts as that order's lines; anything else in the cart, or
 * another address, is a different request. Orders placed before fingerprints were stored pass.
 */
async function requireSameRequest(db: Db, buyerId: string, input: PlaceOrderInput, previous: { order: PlacedOrder; requestHash: string | null }): Promise<void> {
  if (previous.requestHash === null) return;
  const inCart = await db.cartLine.findMany({ where: { cart: { userId: buyerId } }, select: { productId: true, quantity: true } });
  const lines = inCart.length > 0 ? inCart : previous.order.lines;
  if (requestFingerprint(input.shippingAddress, lines) === previous.requestHash) return;
  throw new DomainError("unprocessable", `this checkout already placed order #${previous.order.number} with a different cart or address, so nothing new was placed. To place another order, start a new checkout (a new key).`, { field: "idempotencyKey" });
}

interface CheckoutLine {
  productId: string;
  sellerId: string;
  sku: string;
  title: string;
  unitPriceMinor: number;
  currency: string;
  quantity: number;
}

async function readCart(db: Db, userId: string): Promise<{ cartId: string; lines: CheckoutLine[] }> {
  const cart = await db.cart.findUnique({
    where: { userId },
    select: {
      id: true,
      lines: {
        select: { quantity: true, product: { select: { id: true, sellerId: true, sku: true, title: true, priceMinor: true, currency: true, status: true } } },
        orderBy: { productId: "asc" },
      },
    },
  });
  const rows = cart?.lines ?? [];
  if (!cart || rows.length === 0) throw new DomainError("invalid", "Your cart is empty; add products before checking out.");
  const gone = rows.filter((r) => r.product.status !== "active").map((r) => `"${r.product.title}"`);
  if (gone.length > 0) {
    throw new DomainError("invalid", `No longer sold: ${gone.join(", ")}. Remove ${gone.length === 1 ? "it" : "them"} from your cart and try again.`);
  }
  const currencies = [...new Set(rows.map((r) => r.product.currency))];
  if (currencies.length > 1) {
    throw new DomainError("invalid", `Your cart mixes currencies (${currencies.join(", ")}); an order is paid in one currency, so check out one currency at a time.`);
  }
  const lines = rows.map((r) => ({
    productId: r.product.id,
    sellerId: r.product.sellerId,
    sku: r.product.sku,
    title: r.product.title,
    unitPriceMinor: minorNumber(r.product.priceMinor),
    currency: r.product.currency,
    quantity: r.quantity,
  }));
  const problems = moneyProblems(lines);
  if (problems.length > 0) throw new DomainError("invalid", problems.join(" "));
  return { cartId: cart.id, lines };
}

/** A unique index refused the write (Prisma's P2002; a raw statement reports the adapter's kind). */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  return e.code === "P2002" || e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}

/**
 * The inventory idempotency key: the same buyer, key and cart always map to the same
 * reservation, so a retried request never reserves twice; a changed cart gets its own.
 */
function reservationKey(buyerId: string, idempotencyKey: string, lines: CheckoutLine[]): string {
  const cart = lines.map((l) => `${l.sku}:${l.quantity}`).join(",");
  return `checkout-${createHash("sha256").update(`${buyerId}\n${idempotencyKey}\n${cart}`).digest("hex")}`;
}

async function reserve(deps: CheckoutDeps, lines: CheckoutLine[], key: string): Promise<Reservation> {
  const ttlMinutes = await getSetting(deps.db, "reservationTtlMinutes");
  try {
    return await deps.inventory.reserve({
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      idempotencyKey: key,
      ttlSeconds: ttlMinutes * 60,
    });
  } catch (err) {
    const shortage = insufficientStockDetails(err);
    if (shortage) {
      const titles = new Map(lines.map((l) => [l.sku, l.title]));
      const parts = shortage.shortages.map((s) => `"${titles.get(s.sku) ?? s.sku}" (asked ${s.requested}, ${Math.max(0, s.available)} left)`);
      throw new DomainError("conflict", `Not enough stock: ${parts.join(", ")}. Lower the quantity and try again.`, { cause: err });
    }
    if (err instanceof ExternalServiceError && err.transient) {
      throw new DomainError("unavailable", "Stock could not be reserved because the inventory service is unavailable; no order was placed. Please try again in a minute.", { cause: err });
    }
    throw toDomainError(err);
  }
}

async function placeOnce(deps: CheckoutDeps, user: AuthUser, input: PlaceOrderInput): Promise<PlacedOrder> {
  const { cartId, lines } = await readCart(deps.db, user.id);
  const reservation = await reserve(deps, lines, reservationKey(user.id, input.idempotencyKey, lines));
  deps.availability.invalidate(lines.map((l) => l.sku));
  if (reservation.status !== "active") {
    // This exact attempt reserved before and was released (its order failed to save) or expired.
    throw new DomainError("conflict", "this checkout attempt ended earlier without an order; start a new checkout (new key).", { field: "idempotencyKey" });
  }

  const currency = lines[0]!.currency;
  const subtotalMinor = lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0);
  const shippingMinor = 0;
  const orderId = randomUUID();
  const opened = openOrderSql({
    id: orderId,
    buyerId: user.id,
    currency,
    subtotalMinor,
    shippingMinor,
    totalMinor: subtotalMinor + shippingMinor,
    idempotencyKey: input.idempotencyKey,
    requestHash: requestFingerprint(input.shippingAddress, lines),
    reservationId: reservation.id,
    reservationExpiresAt: new Date(reservation.expiresAt),
    shippingAddress: input.shippingAddress,
    lines: lines.map((l) => ({ productId: l.productId, sellerId: l.sellerId, sku: l.sku, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor })),
    now: deps.now(),
  });
  const lineRows = lines.map((l) => ({ productId: l.productId, sellerId: l.sellerId, sku: l.sku, title: l.title, unitPriceMinor: l.unitPriceMinor, currency: l.currency, quantity: l.quantity }));
  try {
    // One statement, so one round trip and atomic without an interactive transaction (which took
    // ~9 sequential round trips): the lifecycle's placing of the order (its first status change,
    // pending payment and order.placed event), its lines (price snapshots), and the emptied cart.
    const [created] = await deps.db.$queryRaw<{ number: number }[]>`
      WITH ${opened}, order_lines AS (
        INSERT INTO "OrderLine" (id, "orderId", "productId", "sellerId", sku, title, "unitPriceMinor", currency, quantity, "lineTotalMinor")
        SELECT gen_random_uuid(), o.id, l."productId", l."sellerId", l.sku, l.title, l."unitPriceMinor", l.currency, l.quantity,
               l."unitPriceMinor" * l.quantity
        FROM ${OPENED_ORDER} o, jsonb_to_recordset(${JSON.stringify(lineRows)}::jsonb)
          AS l("productId" uuid, "sellerId" uuid, sku text, title text, "unitPriceMinor" bigint, currency text, quantity int)
      ), emptied AS (
        DELETE FROM "CartLine" WHERE "cartId" = ${cartId}::uuid
      )
      SELECT number FROM ${OPENED_ORDER}`;
    deps.logger.info({ orderId, orderNumber: created!.number, buyerId: user.id, lines: lines.length }, "order placed");
    return (await findOrder(deps.db, user.id, input.idempotencyKey))!.order;
  } catch (err) {
    if (isUniqueViolation(err)) {
      // Another replica placed this key's order first, with this same reservation: keep it.
      throw duplicateInFlight();
    }
    // A concurrent attempt with the same key (another replica) shares this reservation: if its
    // order exists, the units are its, not ours to give back.
    const owner = await deps.db.order.findFirst({ where: { reservationId: reservation.id }, select: { id: true } }).catch(() => null);
    if (owner) throw err;
    await deps.inventory.releaseReservation(reservation.id).catch((releaseErr: unknown) => {
      // The reservation expires on its own (reservationTtlMinutes); log so it can be traced.
      deps.logger.error({ err: releaseErr, reservationId: reservation.id }, "could not release the reservation of a failed checkout");
    });
    deps.availability.invalidate(lines.map((l) => l.sku));
    throw err;
  }
}
