import { randomBytes } from "node:crypto";
import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ObjectStorage } from "~/core/storage";
import { minorNumbers, unitPriceProblem, type MinorNumbers } from "~/core/money";
import { toDomainError } from "~/core/integrations/errors";
import type { InventoryClient, StockLevel } from "~/core/integrations/inventory";
import type { Availability, AvailabilityReader } from "~/core/domain/catalog/availability";
import { listProductIds, loadInOrder, type ListProductsInput, type ProductStatus } from "~/core/domain/catalog/products";
import type { Page } from "~/core/pagination";
import { getSetting } from "~/core/domain/settings/settings";
import { requireOwnSellerId } from "~/core/domain/actor";
import type { AuthUser } from "~/core/domain/actor";
import { productPhotosSelect, releaseFiles, setProductPhotos, type PhotoChoice } from "~/core/domain/photos/photos";

/**
 * A seller's own products. Ownership rule, used everywhere: a product that is not in the
 * caller's shop answers NOT_FOUND, exactly like one that does not exist, so sellers learn
 * nothing about each other's drafts. A caller without a shop gets FORBIDDEN.
 */
export interface SellerDeps {
  db: Db;
  logger: Logger;
  inventory: InventoryClient;
  availability: AvailabilityReader;
  /** Where photos' files are: a save that drops photos deletes their files. */
  storage: ObjectStorage;
}

export const sellerProductSelect = {
  id: true,
  sku: true,
  title: true,
  description: true,
  priceMinor: true,
  currency: true,
  images: true,
  photos: productPhotosSelect,
  status: true,
  publishedAt: true,
  createdAt: true,
  updatedAt: true,
  category: { select: { id: true, slug: true, name: true } },
} satisfies Prisma.ProductSelect;

export type SellerProduct = MinorNumbers<Prisma.ProductGetPayload<{ select: typeof sellerProductSelect }>>;

async function ownProduct(db: Db, sellerId: string, id: string): Promise<SellerProduct> {
  const product = await db.product.findFirst({ where: { id, sellerId }, select: sellerProductSelect });
  if (!product) throw new DomainError("not_found", `No product with id ${id} in your shop.`);
  return minorNumbers(product);
}

/** Lavka sells nothing for free, and every price stays within MONEY_LIMITS (src/core/money.ts). */
function checkPrice(priceMinor: number, currency: string): void {
  const problem = unitPriceProblem(priceMinor, currency);
  if (problem) throw new DomainError("invalid", `${problem}`, { field: "priceMinor" });
}

async function inventoryCall<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw toDomainError(err);
  }
}

async function categoryId(db: Db, slug: string | null | undefined): Promise<string | null | undefined> {
  if (slug === undefined) return undefined;
  if (slug === null) return null;
  const category = await db.category.findUnique({ where: { slug }, select: { id: true } });
  if (!category) throw new DomainError("invalid", `no category "${slug}".`, { field: "categorySlug" });
  return category.id;
}

export interface CreateProductInput {
  title: string;
  description?: string;
  priceMinor: number;
  currency?: string;
  categorySlug?: string | null;
  images?: string[];
  /** Uploaded photos (staged, uploadPhoto) in the order shown; the first is the main one. */
  photos?: PhotoChoice[];
  /** Generated (LV-XXXXXXXXXX) when omitted. */
  sku?: string;
  /** Units on hand to start with; default 0. */
  initialStock?: number;
  /** Publish right away instead of starting as a draft. */
  publish?: boolean;
}

/**
 * Creates the product and its stock record. The stock record is written first (the inventory
 * call cannot sit inside a DB transaction); if the product row then fails, the new record is
 * removed again, so neither side is left with half a product.
 */
export async function createProduct(deps: SellerDeps, user: AuthUser, input: CreateProductInput): Promise<SellerProduct> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const sku = input.sku ?? `LV-${randomBytes(5).toString("hex").toUpperCase()}`;
  if (input.sku && (await deps.db.product.findUnique({ where: { sku }, select: { id: true } }))) {
    throw new DomainError("conflict", `"${sku}" is already used by another product.`, { field: "sku" });
  }
  const [currency, category] = await Promise.all([
    input.currency ?? getSetting(deps.db, "defaultCurrency"),
    categoryId(deps.db, input.categorySlug),
  ]);
  checkPrice(input.priceMinor, currency);
  await inventoryCall(deps.inventory.setStock(sku, input.initialStock ?? 0));
  try {
    const now = new Date();
    const created = await deps.db.$transaction(async (tx) => {
      const product = await tx.product.create({
        data: {
          sellerId,
          sku,
          title: input.title,
          description: input.description ?? "",
          priceMinor: input.priceMinor,
          currency,
          images: input.images ?? [],
          categoryId: category ?? null,
          status: input.publish ? "active" : "draft",
          publishedAt: input.publish ? now : null,
        },
        select: { id: true },
      });
      if (input.photos?.length) await setProductPhotos(tx, sellerId, product.id, input.photos);
      return tx.product.findUniqueOrThrow({ where: { id: product.id }, select: sellerProductSelect });
    });
    return minorNumbers(created);
  } catch (err) {
    await deps.inventory.deleteStock(sku).catch((cleanupErr: unknown) => {
      deps.logger.warn({ err: cleanupErr, sku }, "could not remove the stock record of a product that failed to save");
    });
    if ((err as { code?: string }).code === "P2002") {
      throw new DomainError("conflict", `"${sku}" is already used by another product.`, { field: "sku" });
    }
    throw err;
  } finally {
    deps.availability.invalidate([sku]);
  }
}

export interface UpdateProductInput {
  id: string;
  title?: string;
  description?: string;
  priceMinor?: number;
  currency?: string;
  categorySlug?: string | null;
  images?: string[];
  /** The product's photos from now on, in order: listed staged uploads are added, unlisted photos deleted. */
  photos?: PhotoChoice[];
}

/** Edits catalog fields and photos; placed orders keep their price snapshots. */
export async function updateProduct(deps: SellerDeps, user: AuthUser, input: UpdateProductInput): Promise<SellerProduct> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const current = await ownProduct(deps.db, sellerId, input.id);
  if (current.status === "archived") {
    throw new DomainError("invalid", "This product is archived; publish it again before editing.");
  }
  if (input.priceMinor !== undefined || input.currency !== undefined) checkPrice(input.priceMinor ?? current.priceMinor, input.currency ?? current.currency);
  const { id, categorySlug, photos, ...fields } = input;
  const category = await categoryId(deps.db, categorySlug);
  const { updated, released } = await deps.db.$transaction(async (tx) => {
    const dropped = photos ? await setProductPhotos(tx, sellerId, id, photos) : [];
    const row = await tx.product.update({
      where: { id },
      data: { ...fields, ...(category !== undefined ? { categoryId: category } : {}) },
      select: sellerProductSelect,
    });
    return { updated: row, released: dropped };
  });
  // After the commit: the rows that pointed at these files are gone for good.
  await releaseFiles(deps, released);
  return minorNumbers(updated);
}

async function setStatus(deps: SellerDeps, user: AuthUser, id: string, status: ProductStatus): Promise<SellerProduct> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const current = await ownProduct(deps.db, sellerId, id);
  if (current.status === status) return current;
  // A product priced before the limits (a free one) goes on sale only with a valid price.
  if (status === "active") checkPrice(current.priceMinor, current.currency);
  const updated = await deps.db.product.update({
    where: { id },
    // publishedAt records the first publication; later unpublish/publish keep it.
    data: { status, ...(status === "active" && !current.publishedAt ? { publishedAt: new Date() } : {}) },
    select: sellerProductSelect,
  });
  return minorNumbers(updated);
}

/** Makes the product visible in the catalog (also restores an archived one). */
export const publishProduct = (deps: SellerDeps, user: AuthUser, id: string) => setStatus(deps, user, id, "active");
/** Back to draft: hidden from the catalog; carts show it as unavailable. */
export const unpublishProduct = (deps: SellerDeps, user: AuthUser, id: string) => setStatus(deps, user, id, "draft");
/** Retired: hidden everywhere except the seller's own list (filter status "archived"). */
export const archiveProduct = (deps: SellerDeps, user: AuthUser, id: string) => setStatus(deps, user, id, "archived");

export type SellerProductWithStock = SellerProduct & { availability: Availability };

/** One own product with its current stock (for the edit page). */
export async function getOwnProduct(deps: SellerDeps, user: AuthUser, id: string): Promise<SellerProductWithStock> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const product = await ownProduct(deps.db, sellerId, id);
  const levels = await deps.availability.read([product.sku]);
  return { ...product, availability: levels.get(product.sku) ?? { status: "unknown" } };
}

export type ListOwnInput = Omit<ListProductsInput, "sellerId"> & { status?: ProductStatus };

/** The caller's products in any status (or one), with the catalog's filters, sorts and cursors. */
export async function listOwnProducts(deps: SellerDeps, user: AuthUser, input: ListOwnInput): Promise<Page<SellerProduct>> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const { status, ...rest } = input;
  const page = await listProductIds(deps, rest, { statuses: status ? [status] : ["draft", "active", "archived"], sellerId });
  return { items: minorNumbers(await loadInOrder(deps.db, page.items, sellerProductSelect)), nextCursor: page.nextCursor };
}

/** Sets units on hand in the inventory service (absolute, so retrying is safe). */
export async function setStock(deps: SellerDeps, user: AuthUser, input: { id: string; onHand: number }): Promise<StockLevel> {
  const sellerId = await requireOwnSellerId(deps.db, user);
  const product = await ownProduct(deps.db, sellerId, input.id);
  try {
    return await inventoryCall(deps.inventory.setStock(product.sku, input.onHand));
  } finally {
    deps.availability.invalidate([product.sku]);
  }
}
