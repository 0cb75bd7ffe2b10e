// sweep-photos through runJob, as `processor job sweep-photos` runs it, on S3 (s3rver): staged
// photos past the cutoff go with their files; saved photos and recent uploads stay.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type Db, type TestDatabase } from "../../../tests/helpers/db";
import { createPhotoRow, createProduct, createSellerUser } from "../../../tests/helpers/fixtures";
import { testLogger } from "../../../tests/helpers/pipeline";
import { startS3rver, type RunningS3 } from "../../../tests/helpers/s3rver";
import { createS3Storage } from "~/core/storage/s3-storage";
import type { ObjectStorage } from "~/core/storage";
import { createSweepPhotosJob } from "./photo-jobs";
import { runJob } from "./run-job";

let testDb: TestDatabase;
let db: Db;
let s3: RunningS3;
let storage: ObjectStorage;
const logger = testLogger();
const HOUR = 3_600_000;

beforeAll(async () => {
  [testDb, s3] = await Promise.all([createTestDatabase(), startS3rver("lavka-sweep")]);
  db = testDb.db;
  storage = createS3Storage(s3.options);
});
afterAll(async () => {
  await testDb?.drop();
  await s3?.close();
});

async function storedPhoto(sellerId: string, productId: string | null, uploadedHoursAgo: number) {
  const row = await createPhotoRow(db, sellerId, productId);
  await db.productPhoto.update({ where: { id: row.id }, data: { createdAt: new Date(Date.now() - uploadedHoursAgo * HOUR) } });
  for (const name of ["160.avif", "160.webp"]) await storage.put(`photos/${row.digest}/${name}`, Buffer.from(name), "image/webp");
  return row;
}

async function filesOf(digest: string): Promise<number> {
  let n = 0;
  for await (const item of storage.list(`photos/${digest}/`)) if (item.key) n += 1;
  return n;
}

it("deletes staged photos older than the cutoff with their files, and files no photo uses; keeps the rest", async () => {
  const seller = await createSellerUser(db);
  const product = await createProduct(db, seller.sellerId);
  const saved = await storedPhoto(seller.sellerId, product.id, 100);
  const abandoned = await storedPhoto(seller.sellerId, null, 30);
  const recent = await storedPhoto(seller.sellerId, null, 2);
  const orphanDigest = "f".repeat(64);
  await storage.put(`photos/${orphanDigest}/320.webp`, Buffer.from("orphan"), "image/webp");

  const result = await runJob(createSweepPhotosJob({ storage }), {}, { db, logger, trigger: "job" });
  expect(result).toMatchObject({ rows: 1, summary: { stagedDeleted: 1, filesReleased: 2 } });
  expect(await db.productPhoto.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } })).toEqual([{ id: saved.id }, { id: recent.id }]);
  expect([await filesOf(saved.digest), await filesOf(abandoned.digest), await filesOf(recent.digest), await filesOf(orphanDigest)]).toEqual([2, 0, 2, 0]);

  // Idempotent: a second run finds nothing.
  expect((await runJob(createSweepPhotosJob({ storage }), { "staged-older-than-hours": "24" }, { db, logger, trigger: "job" })).summary).toMatchObject({ stagedDeleted: 0, filesReleased: 0 });
});
