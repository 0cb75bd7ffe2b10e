import { DomainError } from "~/core/errors";
import type { Db, Prisma } from "~/lib/db";
import type { Logger } from "~/lib/logger";
import type { ObjectStorage } from "~/core/storage";
import { MAX_PHOTOS_PER_PRODUCT } from "./urls";

/**
 * Product photos: attach to a product in the order the seller chose, remove, and the sweep of
 * what was left behind (uploads are upload.ts, which alone needs sharp: the processor does not).
 *
 * The invariant: a ProductPhoto row never points at missing files. Files are shared by content
 * (two uploads of the same bytes share one digest), so writes and deletes of a digest's files
 * take that digest's advisory lock, and:
 * - an upload writes the files, then inserts its row, in one transaction holding the lock;
 * - files are deleted only holding the lock, and only when no row has their digest.
 * A crash between the two leaves files no row points at; the sweep-photos job deletes those.
 */
export interface PhotoStore {
  db: Db;
  logger: Logger;
  storage: ObjectStorage;
}

export const photoViewSelect = { id: true, alt: true, digest: true, width: true, height: true, widths: true } satisfies Prisma.ProductPhotoSelect;

/** The photos a product's reads return, in order. */
export const productPhotosSelect = { select: photoViewSelect, orderBy: [{ position: "asc" }, { id: "asc" }] } satisfies Prisma.Product$photosArgs;


/** Storage I/O happens inside these transactions (under the digest's lock): generous limits. */
export const LOCKED_TX = { maxWait: 30_000, timeout: 120_000 };

export async function lockDigest(tx: Prisma.TransactionClient, digest: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`photo:${digest}`}))`;
}

export interface PhotoChoice {
  id: string;
  alt: string;
}

/**
 * Inside the product's save transaction: the product's photos become exactly `photos`, in that
 * order. Each must be the shop's own upload, staged or already on this product; the product's
 * photos not listed are deleted. Returns the digests of the deleted ones for releaseFiles, which
 * runs after the transaction commits.
 */
export async function setProductPhotos(tx: Prisma.TransactionClient, sellerId: string, productId: string, photos: PhotoChoice[]): Promise<string[]> {
  if (photos.length > MAX_PHOTOS_PER_PRODUCT) throw new DomainError("invalid", `at most ${MAX_PHOTOS_PER_PRODUCT} photos per product.`, { field: "photos" });
  const ids = photos.map((p) => p.id);
  const twice = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (twice >= 0) throw new DomainError("invalid", "the same photo is listed twice.", { field: `photos.${twice}.id` });
  const removed = await tx.productPhoto.findMany({ where: { productId, id: { notIn: ids } }, select: { id: true, digest: true } });
  if (removed.length > 0) await tx.productPhoto.deleteMany({ where: { id: { in: removed.map((r) => r.id) } } });
  for (const [position, photo] of photos.entries()) {
    // One statement per photo checks and claims it, so two saves cannot both take a staged photo.
    const { count } = await tx.productPhoto.updateMany({
      where: { id: photo.id, sellerId, OR: [{ productId: null }, { productId }] },
      data: { productId, position, alt: photo.alt },
    });
    if (count === 0) throw new DomainError("not_found", "no such photo among your shop's uploads; upload it again.", { field: `photos.${position}.id` });
  }
  return removed.map((r) => r.digest);
}

/**
 * Deletes the files of each digest no photo row uses any more. A failure is logged and left to
 * the sweep: the rows are gone already, so nothing points at the files. Returns how many digests'
 * files were deleted.
 */
export async function releaseFiles(deps: PhotoStore, digests: Iterable<string>): Promise<number> {
  let released = 0;
  for (const digest of new Set(digests)) {
    try {
      const deleted = await deps.db.$transaction(async (tx) => {
        await lockDigest(tx, digest);
        if ((await tx.productPhoto.count({ where: { digest } })) > 0) return false;
        const keys: string[] = [];
        for await (const item of deps.storage.list(`photos/${digest}/`)) keys.push(item.key);
        await deps.storage.delete(keys);
        return keys.length > 0;
      }, LOCKED_TX);
      if (deleted) released += 1;
    } catch (err) {
      deps.logger.warn({ err, digest }, "could not delete a photo's files; the sweep-photos job will");
    }
  }
  return released;
}

export interface SweepResult {
  /** Staged photos older than the cutoff, deleted. */
  stagedDeleted: number;
  /** Digests whose files were deleted (from those photos, or with no row at all). */
  filesReleased: number;
}

const SWEEP_BATCH = 500;

/**
 * What uploads leave behind: staged photos never saved with a product (older than
 * `stagedBefore`), and files no row points at (an upload that died between its files and its row,
 * or a release that failed). Safe beside uploads in progress: releaseFiles rechecks under the lock.
 */
export async function sweepPhotos(deps: PhotoStore, stagedBefore: Date, signal?: AbortSignal): Promise<SweepResult> {
  let stagedDeleted = 0;
  const digests = new Set<string>();
  for (;;) {
    const rows = await deps.db.$queryRaw<{ digest: string }[]>`
      DELETE FROM "ProductPhoto" WHERE id IN (
        SELECT id FROM "ProductPhoto" WHERE "productId" IS NULL AND "createdAt" < ${stagedBefore} LIMIT ${SWEEP_BATCH}
      ) RETURNING digest`;
    stagedDeleted += rows.length;
    for (const row of rows) digests.add(row.digest);
    if (rows.length < SWEEP_BATCH || signal?.aborted) break;
  }
  const stored = new Set<string>();
  for await (const item of deps.storage.list("photos/")) {
    const digest = /^photos\/([0-9a-f]{64})\//.exec(item.key)?.[1];
    if (digest) stored.add(digest);
  }
  const candidates = [...stored];
  for (let i = 0; i < candidates.length && !signal?.aborted; i += SWEEP_BATCH) {
    const batch = candidates.slice(i, i + SWEEP_BATCH);
    const used = await deps.db.productPhoto.findMany({ where: { digest: { in: batch } }, select: { digest: true }, distinct: ["digest"] });
    const inUse = new Set(used.map((u) => u.digest));
    for (const digest of batch) if (!inUse.has(digest)) digests.add(digest);
  }
  const filesReleased = await releaseFiles(deps, digests);
  return { stagedDeleted, filesReleased };
}
