// Rows for tests, written straight to the database (no procedures, no authorization), plus a
// few helpers that go through the reference services when a test needs the real thing.
// Every helper takes overrides and fills the rest with unique values, so tests never collide.
import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "~/lib/db";
import { minorNumbers } from "~/core/money";
import type { AuthSession } from "~/core/integrations/auth";
import type { ApiDeps, AuthUser, Role } from "~/server/trpc/context";

let counter = 0;
/** A short unique suffix for emails, shop names, SKUs, slugs. */
export function unique(prefix = "x"): string {
  counter += 1;
  return `${prefix}${counter}${randomUUID().slice(0, 8)}`;
}

export type TestUser = AuthUser;
export type TestSeller = AuthUser & { sellerId: string; shopName: string };

/** A local User row and the AuthUser a caller needs (no account in the auth service). */
export async function createUser(db: Db, role: Role = "buyer", overrides: Partial<{ id: string; email: string; name: string }> = {}): Promise<TestUser> {
  const id = overrides.id ?? randomUUID();
  const email = overrides.email ?? `${unique("u")}@example.test`;
  const name = overrides.name ?? `Test ${role}`;
  await db.user.create({ data: { id, email, displayName: name, role }, select: { id: true } });
  return { id, email, name, role, sessionId: randomUUID() };
}

/** A user with role seller and a seller profile (shop). */
export async function createSellerUser(db: Db, overrides: Partial<{ shopName: string; email: string; name: string }> = {}): Promise<TestSeller> {
  const user = await createUser(db, "seller", overrides);
  const shopName = overrides.shopName ?? unique("Shop ");
  const seller = await db.seller.create({ data: { userId: user.id, shopName }, select: { id: true } });
  return { ...user, sellerId: seller.id, shopName };
}

export async function createAdminUser(db: Db): Promise<TestUser> {
  return createUser(db, "admin");
}

export async function createCategory(db: Db, overrides: Partial<{ slug: string; name: string; parentId: string }> = {}) {
  const slug = overrides.slug ?? unique("cat-");
  return db.category.create({
    data: { slug, name: overrides.name ?? slug, ...(overrides.parentId ? { parentId: overrides.parentId } : {}) },
    select: { id: true, slug: true, name: true },
  });
}

export interface ProductOverrides {
  title?: string;
  description?: string;
  priceMinor?: number;
  currency?: string;
  status?: "draft" | "active" | "archived";
  categoryId?: string | null;
  sku?: string;
  images?: string[];
  createdAt?: Date;
}

/** A product row (active by default). Stock lives in the inventory service: see stockProduct. */
export async function createProduct(db: Db, sellerId: string, overrides: ProductOverrides = {}) {
  const status = overrides.status ?? "active";
  const data: Prisma.ProductUncheckedCreateInput = {
    sellerId,
    sku: overrides.sku ?? unique("SKU-"),
    title: overrides.title ?? unique("Product "),
    description: overrides.description ?? "",
    priceMinor: overrides.priceMinor ?? 1_000,
    currency: overrides.currency ?? "EUR",
    images: overrides.images ?? [],
    status,
    categoryId: overrides.categoryId ?? null,
    publishedAt: status === "active" ? new Date() : null,
    ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
  };
  const product = await db.product.create({
    data,
    select: { id: true, sku: true, title: true, priceMinor: true, currency: true, status: true, sellerId: true },
  });
  return minorNumbers(product);
}

/**
 * A ProductPhoto row of a shop, staged (no product) unless `productId` is given. Its digest is
 * random and no files are stored: enough for attaching and removing, not for serving.
 */
export async function createPhotoRow(db: Db, sellerId: string, productId: string | null = null) {
  return db.productPhoto.create({
    data: { sellerId, productId, digest: randomUUID().replaceAll("-", "").padEnd(64, "0"), sourceFormat: "png", width: 200, height: 150, widths: [160, 200] },
    select: { id: true, digest: true },
  });
}

/** Sets on-hand stock for a SKU in the (reference) inventory service. */
export async function stockProduct(deps: Pick<ApiDeps, "inventory">, sku: string, onHand: number): Promise<void> {
  await deps.inventory.setStock(sku, onHand);
}

/** A product with `onHand` units in the inventory service. */
export async function createStockedProduct(deps: Pick<ApiDeps, "db" | "inventory">, sellerId: string, onHand: number, overrides: ProductOverrides = {}) {
  const product = await createProduct(deps.db, sellerId, overrides);
  await stockProduct(deps, product.sku, onHand);
  return product;
}

/** Puts lines straight into a user's cart. */
export async function fillCart(db: Db, userId: string, lines: { productId: string; quantity: number }[]): Promise<void> {
  const cart = await db.cart.upsert({ where: { userId }, create: { userId }, update: {}, select: { id: true } });
  for (const line of lines) {
    await db.cartLine.upsert({
      where: { cartId_productId: { cartId: cart.id, productId: line.productId } },
      create: { cartId: cart.id, productId: line.productId, quantity: line.quantity },
      update: { quantity: line.quantity },
      select: { cartId: true },
    });
  }
}

/**
 * A real account in the auth service, signed in: use when a test needs a genuine bearer token
 * (HTTP tests, logout, changePassword).
 */
export async function registerAccount(
  deps: Pick<ApiDeps, "auth" | "sessions">,
  role: "buyer" | "seller" = "buyer",
  password = "correct horse battery",
): Promise<{ session: AuthSession; password: string; user: AuthUser }> {
  const session = await deps.auth.register({ email: `${unique("acct")}@example.test`, password, displayName: "Account Holder", role });
  // Authenticating the token also writes the local User row, as the first HTTP request would.
  const user = await deps.sessions.authenticate(session.accessToken);
  return { session, password, user };
}
