import { DomainError } from "~/core/errors";
import { requireOwnSellerId, type Actor } from "~/core/domain/actor";
import { checkImage, derivePhoto, type PhotoLimits } from "./images";
import { LOCKED_TX, lockDigest, photoViewSelect, type PhotoStore } from "./photos";
import type { PhotoView } from "./urls";

export type PhotoDeps = PhotoStore & { photoLimits: PhotoLimits };

/** Uploaded but not yet saved with a product, per shop: a form in progress needs a handful. */
export const MAX_STAGED_PHOTOS = 100;

/** Deriving a large photo takes a second or more of a core and up to ~120 MB (a 48-megapixel JPEG, measured): at most this many at once per process. */
const MAX_CONCURRENT_DERIVATIONS = 2;
let derivations = 0;
const queued: (() => void)[] = [];

async function withDerivationSlot<T>(work: () => Promise<T>): Promise<T> {
  if (derivations >= MAX_CONCURRENT_DERIVATIONS) await new Promise<void>((resolve) => queued.push(resolve));
  derivations += 1;
  try {
    return await work();
  } finally {
    derivations -= 1;
    queued.shift()?.();
  }
}

/**
 * Checks and stores one uploaded image for the caller's shop. The photo is staged: it belongs to
 * no product until a product save lists it (setProductPhotos). Bad files are DomainError
 * "invalid" on field "photo", the problem in words (images.ts).
 */
export async function uploadPhoto(deps: PhotoDeps, actor: Actor, bytes: Buffer): Promise<PhotoView> {
  const sellerId = await requireOwnSellerId(deps.db, actor);
  const staged = await deps.db.productPhoto.count({ where: { sellerId, productId: null } });
  if (staged >= MAX_STAGED_PHOTOS) {
    throw new DomainError("conflict", `${staged} uploaded photos are waiting to be saved with a product; save or leave those forms first.`, { field: "photo", reason: "too_many_staged" });
  }
  const image = await checkImage(bytes, deps.photoLimits);
  const derived = await withDerivationSlot(() => derivePhoto(bytes, image, deps.photoLimits));
  return deps.db.$transaction(async (tx) => {
    await lockDigest(tx, derived.digest);
    // Files already there for a row with this digest stay (the lock keeps them): nothing to write.
    const shared = await tx.productPhoto.findFirst({ where: { digest: derived.digest }, select: { id: true } });
    if (!shared) {
      // Every write settles before the lock is let go, failed or not: no write may land after a release.
      const writes = await Promise.allSettled(derived.files.map((file) => deps.storage.put(file.key, file.body, file.contentType)));
      const failed = writes.find((w) => w.status === "rejected");
      if (failed) throw failed.reason;
    }
    return tx.productPhoto.create({
      data: { sellerId, digest: derived.digest, sourceFormat: image.format, width: image.width, height: image.height, widths: derived.widths },
      select: photoViewSelect,
    });
  }, LOCKED_TX);
}

